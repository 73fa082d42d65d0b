# fromYamlFile path: the YAML file's document as a Nix value (see from-yaml.nix for what is read).
{ fromYaml, ... }: path: fromYaml (builtins.readFile path)
