let name = "nix"; v = 2; in ''
  name: ${name}
  version: ${toString v}
    nested: ${''inner ${name}''}
''
