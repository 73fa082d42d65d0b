# makeNodeJsEnvironment { name; nodeJsVersion; packageJson; packageLockJson;
#   packageOverrides ? { }; searchPaths ? { }; }: as makes, a makeSearchPaths template putting the
# host's Node.js on PATH, makeNodeJsModules' node_modules on NODE_PATH and its .bin on PATH, and
# sourcing makeSearchPaths searchPaths.
{ makeNodeJsModules, makeSearchPaths, ... }:
{ name, nodeJsVersion, packageJson, packageLockJson, packageOverrides ? { }, searchPaths ? { } }:
let
  modules = makeNodeJsModules { inherit name nodeJsVersion packageJson packageLockJson packageOverrides; };
  nodeModules = "${modules}/lib/node_modules";
in
makeSearchPaths {
  bin = [ modules.nodeJs ];
  nodeBin = [ nodeModules ];
  nodeModule = [ nodeModules ];
  source = [ (makeSearchPaths searchPaths) ];
}
