# makeContainerImage: an OCI/Docker image archive of the closure of `layers`, whose top-level
# contents are merged into the image root (first wins on collisions, with a warning). The image is
# an ordinary derivation built by m's builtin builder `builtin:m-container-image` (@m/image,
# derivation.ts documents the environment it reads), so it can be the input of another output.
#
# Options follow nixpkgs' dockerTools (name, tag, created, architecture, extraCommands,
# fakeRootCommands, fromImage, maxLayers, includeStorePaths) and nix2container (perms, explicit
# layers: an element `{ deps = [ … ]; }` of `layers` is one layer holding the closure of deps).
{ __m__, lib, inputs, ... }:
{ layers ? [ ]
, maxLayers ? 65
, config ? { }
, name ? "container-image"
, tag ? "latest"
, created ? "1970-01-01T00:00:01Z"
, architecture ? "amd64"
, extraCommands ? ""
, fakeRootCommands ? ""
, perms ? [ ]
, fromImage ? null
, includeStorePaths ? true
, compression ? "gzip"
, ignoreCollisions ? true
}:
let
  fail = msg: throw "makeContainerImage: ${msg}";
  check = cond: msg: if cond then true else fail msg;
  isGroup = x: builtins.isAttrs x && !(x ? outPath);
  groups = builtins.filter isGroup layers;
  roots = builtins.filter (x: !isGroup x) layers;
  suffixes = { gzip = ".tar.gz"; zstd = ".tar.zst"; none = ".tar"; };
  pkgs = inputs.nixpkgs;

  checked =
    check (builtins.isInt maxLayers && maxLayers >= 2 && maxLayers <= 125) "maxLayers must be an integer from 2 to 125, got ${builtins.toJSON maxLayers}"
    && check (builtins.isString name && name != "") "name must be a non-empty string"
    && check (builtins.isString tag && tag != "") "tag must be a non-empty string"
    && check (builtins.isString created) "created must be a string (\"now\" or an RFC 3339 time)"
    && check (builtins.isString architecture && architecture != "") "architecture must be a non-empty string such as \"amd64\" or \"arm64\""
    && check (builtins.isString extraCommands) "extraCommands must be a string"
    && check (builtins.isString fakeRootCommands) "fakeRootCommands must be a string"
    && check (builtins.isList perms) "perms must be a list of { path; regex; mode?; uid?; gid?; uname?; gname?; }"
    && check (builtins.isBool includeStorePaths) "includeStorePaths must be a Boolean"
    && check (builtins.isBool ignoreCollisions) "ignoreCollisions must be a Boolean"
    && check (builtins.isList layers) "layers must be a list"
    && check (suffixes ? ${compression}) "compression must be \"gzip\", \"zstd\" or \"none\", got ${builtins.toJSON compression}"
    && builtins.all (g: check (builtins.attrNames g == [ "deps" ] && builtins.isList g.deps) "an explicit layer (an attribute set in `layers`) takes only `deps`, a list of packages") groups;

  # extraCommands run over the union of the roots (as dockerTools' symlinkJoin), then
  # fakeRootCommands under fakeroot; `meta` records every entry's mode and (fake) owner, which the
  # image keeps while the store canonicalises them.
  customisation = builtins.derivation ({
    name = "${lib.toDerivationName (baseNameOf name)}-customisation-layer";
    inherit (__m__) system;
    builder = "${__m__.bash}/bin/bash";
    args = [ (builtins.toFile "make-container-image-customisation" ''
      set -euo pipefail
      export PATH="$coreutils/bin:$findutils/bin"
      mkdir -p "$out/root"
      cd "$out/root"
      shopt -s nullglob dotglob
      for r in $roots; do
        for e in "$r"/*; do cp -rs --no-preserve=mode -n "$e" .; done
      done
      shopt -u nullglob dotglob
      eval "$extraCommands"
      cd "$out/root"
      if test -n "$fakeRootCommands"; then
        key="$("$fakeroot/bin/faked-sysv")"
        trap 'kill "''${key##*:}" 2>/dev/null || true' EXIT
        FAKEROOTKEY="''${key%%:*}" FAKEROOTDONTTRYCHOWN=1 LD_PRELOAD="$libfakeroot/lib/libfakeroot/libfakeroot-sysv.so" "$BASH" -euo pipefail -c '
          eval "$fakeRootCommands"
          cd "$out/root"
          find . -mindepth 1 -printf "%m %U %G %P\0" | LC_ALL=C sort -z > "$out/meta"
        '
      else
        find . -mindepth 1 -printf "%m 0 0 %P\0" | LC_ALL=C sort -z > "$out/meta"
      fi
    '') ];
    roots = roots;
    inherit extraCommands fakeRootCommands;
    coreutils = __m__.coreutils;
    findutils = pkgs.findutils;
  } // lib.optionalAttrs (fakeRootCommands != "") {
    fakeroot = pkgs.fakeroot;
    libfakeroot = pkgs.libfakeroot;
  });
  custom = extraCommands != "" || fakeRootCommands != "";
in
assert checked;
builtins.derivation {
  name = "${lib.toDerivationName (baseNameOf name)}${suffixes.${compression}}";
  inherit (__m__) system;
  builder = "builtin:m-container-image";
  layers = roots;
  maxLayers = toString maxLayers;
  config = builtins.toJSON config;
  imageOptions = builtins.toJSON {
    inherit name tag created architecture compression includeStorePaths ignoreCollisions perms fromImage;
    customisation = if custom then customisation else null;
    groups = map (g: g.deps) groups;
  };
}
