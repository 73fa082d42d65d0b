# makeSecretForEnvFromSops { name; manifest; vars; }: a template that, sourced at run time,
# decrypts manifest and exports each of vars (a.b becomes a__b) from it. Nothing decrypted is
# written anywhere: the plaintext stays in the script's memory.
#
# Debian does not ship sops, so the manifest is a whole YAML or JSON document encrypted with
# age (Debian's age; binary or --armor) or OpenPGP (Debian's gpg), instead of sops' per-value
# encryption. Keys are found as sops finds them: age identities in $SOPS_AGE_KEY (the key
# itself) or the file $SOPS_AGE_KEY_FILE (default ~/.config/sops/age/keys.txt of the caller),
# OpenPGP keys in the caller's gpg keyring. A file encrypted by sops itself is refused with a
# message saying so.
{ __nixpkgs__, makeTemplate, toBashArray, toDerivationName, ... }:
{ manifest, name, vars }:
makeTemplate {
  name = "make-secret-for-env-from-sops-for-${name}";
  replace = {
    __argManifest__ = manifest;
    __argName__ = toDerivationName name;
    __argVars__ = toBashArray vars;
  };
  searchPaths.bin = [ __nixpkgs__.age __nixpkgs__.gojq __nixpkgs__.gpg __nixpkgs__.grep ];
  template = ./make-secret-for-env-from-sops.sh;
}
