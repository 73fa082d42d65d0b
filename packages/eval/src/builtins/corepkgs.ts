/**
 * Nix's built-in `<nix/…>` files: when no search path entry provides `nix/X`, `<nix/X>` resolves to
 * `/__corepkgs__/X`, and importing `/__corepkgs__/fetchurl.nix` evaluates the expression below
 * (a fixed-output derivation with the `builtin:fetchurl` builder), as Nix 2.8 does.
 */
export const COREPKGS_PREFIX = '/__corepkgs__/';

export const COREPKGS: Record<string, string> = {
  'fetchurl.nix': `{ system ? "", url, hash ? "",
  md5 ? "", sha1 ? "", sha256 ? "", sha512 ? "",
  outputHash ? (if hash != "" then hash else if sha512 != "" then sha512 else if sha1 != "" then sha1
    else if md5 != "" then md5 else sha256),
  outputHashAlgo ? (if hash != "" then "" else if sha512 != "" then "sha512" else if sha1 != "" then "sha1"
    else if md5 != "" then "md5" else "sha256"),
  executable ? false, unpack ? false, name ? baseNameOf (toString url) }:
derivation {
  builder = "builtin:fetchurl";
  system = "builtin";
  inherit outputHashAlgo outputHash name url executable unpack;
  outputHashMode = if unpack || executable then "recursive" else "flat";
  preferLocalBuild = true;
  impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
  urls = [ url ];
}
`,
};
