[ (x: x) ({ a, b ? 1 }: a) ({ a, ... } @ args: a) (args @ { ... }: 1) builtins.add ]
