# Data helpers of makes' catalogue: YAML in and out, TOML, a self-signed certificate and the
# project's own paths. `m . /catalogue` builds the folder; `cat .m/out-catalogue/*`.
{ fromYamlFile, toFileYaml, toFileToml, toFileJsonFromFileYaml, makeSslCertificate, makeDerivation
, projectPath, projectPathsMatching, stringCapitalize, sublist, attrsMerge, ... }:
let
  config = fromYamlFile (projectPath "/makes/catalogue/data/config.yaml");
in
makeDerivation {
  name = "catalogue";
  env = {
    envYaml = toFileYaml "config.yaml" (attrsMerge [ config { tags = sublist [ "a" "b" "c" ] 0 2; } ]);
    envToml = toFileToml "config.toml" { server = config // { title = stringCapitalize config.name; }; };
    envJson = toFileJsonFromFileYaml (projectPath "/makes/catalogue/data/config.yaml");
    envCert = makeSslCertificate { name = "example"; keyType = "rsa:2048"; options = [ [ "-subj" "/CN=localhost" ] ]; };
    envScripts = builtins.toJSON (projectPathsMatching { regex = ".*\\.sh"; targets = [ "/makes/catalogue" ]; });
  };
  builder = ''
    mkdir "$out"
    cp "$envYaml" "$out/config.yaml"
    cp "$envToml" "$out/config.toml"
    cp "$envJson" "$out/config.json"
    cp "$envCert/cert.crt" "$out/cert.crt"
    printf '%s\n' "$envScripts" > "$out/scripts.json"
  '';
}
