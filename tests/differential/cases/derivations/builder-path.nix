let d = derivation { name = "builder-path"; system = "x86_64-linux"; builder = ./drv-builder.sh; }; in [ d.drvPath d.outPath ]
