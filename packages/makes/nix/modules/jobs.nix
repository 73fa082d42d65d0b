# options: jobs (attrsOf package, { })
# outputs: one per job, named as the job ("/helloWorld")
{ lib, config, ... }: {
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
        else throw ''The job "${name}" must begin with a slash. Rename it to "/${name}"'';
      value = lib.mkOverride 100 config.jobs.${name};
    })
    (builtins.attrNames config.jobs));
}
