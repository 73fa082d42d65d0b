# options: jobs (attrsOf package, { })
# outputs: one per job, named as the job ("/helloWorld")
{ lib, config, options, ... }:
let
  # Where the job `name` is defined, for the error about its name.
  posOf = name:
    let defs = builtins.filter (d: builtins.isAttrs d.value && d.value ? ${name}) options.jobs.definitionsWithLocations;
    in if defs == [ ] then null else builtins.unsafeGetAttrPos name (builtins.head defs).value;
in {
  options.jobs = lib.mkOption {
    type = lib.types.attrsOf lib.types.package;
    default = { };
    description = "Outputs defined in makes.nix: \"/name\" = derivation (usually makeScript { … }).";
  };
  # Each job wrapped in mkOverride at the normal priority, so listing outputs does not evaluate it.
  config.outputs = builtins.listToAttrs (map
    (name: {
      name =
        if lib.hasPrefix "/" name then name
        else lib.throwAt (posOf name) ''The job "${name}" must begin with a slash.'' ''Rename it to "/${name}".'';
      value = lib.mkOverride 100 config.jobs.${name};
    })
    (builtins.attrNames config.jobs));
}
