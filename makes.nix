# makes.nix of m's example project, in makes' Quickstart shape: a job defined here is an output
# next to the main.nix files under makes/ (`m . /helloWorld`). makes.nix is a module: it may
# import other modules (makes/essentials/makes.nix: inputs, outputs reused by a job, an option of
# the project's own) and set the options of packages/makes/nix/modules/.
{ makeScript, ... }: {
  imports = [ ./makes/essentials/makes.nix ./makes/catalogue/makes.nix ];
  jobs = {
    "/helloWorld" = makeScript {
      name = "helloWorld";
      entrypoint = "echo 'Hello World!'";
    };
  };
}
