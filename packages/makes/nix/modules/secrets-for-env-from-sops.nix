# options: secretsForEnvFromSops.<name> = { manifest (str, path in the project); vars (listOf str) }
# outputs: /secretsForEnvFromSops/<name>, templates that decrypt the manifest (age or gpg; see
# nix/args/make-secret-for-env-from-sops.nix) and export the vars when sourced
{ config, lib, __toModuleOutputs__, makeSecretForEnvFromSops, projectPath, ... }: {
  options.secretsForEnvFromSops = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        manifest = lib.mkOption { type = lib.types.str; description = "The encrypted file (\"/secrets.yaml.age\")."; };
        vars = lib.mkOption { type = lib.types.listOf lib.types.str; description = "Keys to export (a.b is exported as a__b)."; };
      };
    });
    default = { };
    description = "Environment variables decrypted from an encrypted manifest when a script runs.";
  };
  config.outputs = __toModuleOutputs__
    (name: { manifest, vars }: {
      name = "/secretsForEnvFromSops/${name}";
      value = makeSecretForEnvFromSops { inherit name vars; manifest = projectPath manifest; };
    })
    config.secretsForEnvFromSops;
}
