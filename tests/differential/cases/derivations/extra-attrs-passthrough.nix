let d = derivation { name = "passthrough"; system = "x86_64-linux"; builder = "/bin/sh"; meta = "m"; }; in [ d.meta d.name d.system d.type ]
