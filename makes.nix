# makes.nix of m's example project, in makes' Quickstart shape: a job defined here is an output
# next to the main.nix files under makes/ (`m . /helloWorld`). makes.nix is a module: see
# packages/makes/nix/modules/ for the options it may set.
{ makeScript, ... }: {
  jobs = {
    "/helloWorld" = makeScript {
      name = "helloWorld";
      entrypoint = "echo 'Hello World!'";
    };
  };
}
