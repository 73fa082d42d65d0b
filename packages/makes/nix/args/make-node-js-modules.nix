# makeNodeJsModules { name; nodeJsVersion; packageJson; packageLockJson; packageOverrides ? { }; }:
# the node_modules of a package-lock.json (lockfileVersion 1, 2 or 3), as makes' (node2nix's
# nodeDependencies): $out/lib/node_modules with every locked package (development ones too) at
# its locked place, node_modules/.bin links for their `bin`, and $out/bin → lib/node_modules/.bin.
# Each tarball is a fixed-output derivation checked against the lock's `integrity` (sha512/sha1,
# as Nix's fetchurl derivations): downloaded from its `resolved` URL with Node's fetch, or not at
# all when the store already has it. Packages for another OS or CPU are left out. m runs no
# install scripts, so packageOverrides (node2nix's options) is accepted and ignored; `link`
# (workspace) entries are refused. Node.js is the host's Debian nodejs: nodeJsVersion must be
# its major version.
{ __nixpkgs__, __system__, lib, makeDerivation, ... }:
{ name, nodeJsVersion, packageJson, packageLockJson, packageOverrides ? { } }:
let
  fail = msg: throw "makeNodeJsModules '${name}': ${msg}";
  node = __nixpkgs__.nodejs;
  nodeVersion = builtins.substring 40 1000 (baseNameOf (builtins.unsafeDiscardStringContext node.outPath));
  nodeMajor = builtins.head (builtins.splitVersion nodeVersion);
  checkedNode = if toString nodeJsVersion == nodeMajor then node
    else fail "nodeJsVersion '${toString nodeJsVersion}': this host's Node.js (Debian package nodejs) is ${nodeVersion}, so use \"${nodeMajor}\"";

  lock = builtins.fromJSON (builtins.readFile packageLockJson);

  # lockfileVersion 1: nested `dependencies` → the same "node_modules/a/node_modules/b" keys as 2/3.
  flattenV1 = prefix: deps: builtins.concatLists (lib.mapAttrsToList
    (dep: entry:
      let key = "${prefix}node_modules/${dep}"; in
      [ { name = key; value = entry; } ] ++ flattenV1 "${key}/" (entry.dependencies or { }))
    deps);
  entries =
    if lock ? packages then builtins.removeAttrs lock.packages [ "" ]
    else builtins.listToAttrs (flattenV1 "" (lock.dependencies or { }));

  forThisHost = e:
    let ok = field: want: !(e ? ${field}) || builtins.any (x: x == want) e.${field}
                       || (builtins.all (x: lib.hasPrefix "!" x) e.${field} && !(builtins.elem "!${want}" e.${field}));
    in ok "os" "linux" && ok "cpu" "x64";

  # The strongest hash of an `integrity` (space-separated SRI hashes).
  integrityOf = key: e:
    let
      all = builtins.filter (h: h != "") (lib.splitString " " (e.integrity or ""));
      pick = algo: builtins.filter (lib.hasPrefix "${algo}-") all;
      best = pick "sha512" ++ pick "sha256" ++ pick "sha1";
    in if best == [ ] then fail "${key} has no integrity hash in ${toString packageLockJson}" else builtins.head best;

  tarball = key: e:
    if e.link or false then fail "${key} is a link (workspace) entry, which m does not support"
    else if !(e ? resolved) then fail "${key} has no resolved URL in ${toString packageLockJson}"
    else derivation {
      name = lib.toDerivationName (baseNameOf e.resolved);
      system = __system__;
      builder = "${checkedNode}/bin/node";
      args = [ "-e" ''
        const url = process.env.url;
        fetch(url).then(async (r) => {
          if (!r.ok) throw new Error(`''${url}: HTTP ''${r.status}`);
          require('fs').writeFileSync(process.env.out, Buffer.from(await r.arrayBuffer()));
        }).catch((e) => { console.error(`downloading ''${url}: ''${e.message}`); process.exit(1); });
      '' ];
      url = e.resolved;
      outputHashMode = "flat";
      outputHash = integrityOf key e;
      preferLocalBuild = true;
    };

  layout = lib.mapAttrsToList (key: e: { path = key; tarball = tarball key e; })
    (lib.filterAttrs (key: e: forThisHost e && !(e.bundled or false)) entries);
in
makeDerivation {
  name = "node-modules-for-${name}";
  env = {
    envLayout = builtins.toJSON layout;
    envPackageJson = packageJson;
    envInstall = ./make-node-js-modules.js;
  };
  searchPaths.bin = [ checkedNode __nixpkgs__.gnutar __nixpkgs__.gzip ];
  builder = ''node "$envInstall" "$out" "$envLayout"'';
} // { inherit nodeVersion; nodeJs = checkedNode; }
