# Imported by ../../makes.nix: makes' essentials in one module.
#   m . /helloUser        inputs: a value every main.nix and module receives as `inputs`
#   m . /helloAll         outputs: a job running two other jobs (/helloAnn, /helloBob)
#   m . /greet [NAME]     an option declared here (type, default, description), set below with
#                         lib.mkDefault so that makes.nix could override it
# (this folder has no main.nix, so it adds no output of its own)
{ config, inputs, lib, makeScript, outputs, ... }: {
  options.greeting = lib.mkOption {
    type = lib.types.str;
    default = "Hello";
    description = "The word /greet starts with.";
  };
  config = {
    greeting = lib.mkDefault "Good morning";
    inputs.myUser = "Ann";
    jobs = {
      "/helloUser" = makeScript {
        name = "helloUser";
        entrypoint = "echo 'Hello ${inputs.myUser}!'";
      };
      "/helloAnn" = makeScript {
        name = "helloAnn";
        entrypoint = "echo 'Hello Ann!'";
      };
      "/helloBob" = makeScript {
        name = "helloBob";
        entrypoint = "echo 'Hello Bob!'";
      };
      # Other jobs on PATH by their names. (makes' own `outputs` example puts them in
      # searchPaths.source, which sources a directory and fails, in makes as in m.)
      "/helloAll" = makeScript {
        name = "helloAll";
        searchPaths.bin = [ outputs."/helloAnn" outputs."/helloBob" ];
        entrypoint = ''
          helloAnn
          helloBob
        '';
      };
      "/greet" = makeScript {
        name = "greet";
        entrypoint = ''echo "${config.greeting}, ''${1:-${inputs.myUser}}!"'';
      };
    };
  };
}
