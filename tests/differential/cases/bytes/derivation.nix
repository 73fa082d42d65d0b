# toFile and derivations with non-UTF-8 text: store paths and .drv identical to Nix's
let
  text = "bytes: ÿþ Ã© Ã";
  f = builtins.toFile "bytes.txt" text;
  d = derivation {
    name = "bytes";
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "echo ÿ > $out" ];
    env1 = text;
    inherit f;
  };
in [ f d.drvPath d.outPath (builtins.hashString "sha256" (builtins.readFile f)) ]
