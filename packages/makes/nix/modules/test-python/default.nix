# options: testPython.<name> = { src (str: folder of the project to run pytest in);
#   extraFlags (listOf str, [ ]); extraSrcs (attrsOf package, { }: copied beside the project
#   copy, name = path); searchPaths (attrs, { }: makeSearchPaths' arguments) }
# outputs: /testPython/<name>, a script running Debian's pytest there (makes ≤ 24.09's
# testPython; removed from makes in 24.12)
{ config, lib, __toModuleOutputs__, projectPath, testPython, ... }: {
  options.testPython = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        src = lib.mkOption {
          type = lib.types.str;
          description = "Folder of the project where pytest runs (\"/tests\").";
        };
        extraFlags = lib.mkOption {
          type = lib.types.listOf lib.types.str;
          default = [ ];
          description = "More pytest arguments.";
        };
        extraSrcs = lib.mkOption {
          type = lib.types.attrsOf lib.types.package;
          default = { };
          description = "Store paths copied beside the project's copy: relative path = store path.";
        };
        searchPaths = lib.mkOption {
          type = lib.types.attrs;
          default = { };
          description = "makeSearchPaths arguments sourced before pytest runs (pythonPackage311, bin, …).";
        };
      };
    });
    default = { };
    description = "pytest runs over folders of the project.";
  };
  config.outputs = __toModuleOutputs__ (name: set: {
    name = "/testPython/${name}";
    value = testPython {
      inherit name;
      inherit (set) src extraFlags extraSrcs searchPaths;
      project = projectPath "/";
    };
  }) config.testPython;
}
