# makePythonPoetryEnvironment { pythonProjectDir; pythonVersion; preferWheels ? true;
#   overrides ? (self: super: { }); }: the Python packages locked in pythonProjectDir's poetry.lock
# (next to its pyproject.toml) as one tree, lib/python3.11/site-packages (+ bin/ for their
# console scripts), like makes' (which builds them with poetry2nix from PyPI). m takes each locked
# package, in this order, from:
#   1. the host's Debian package python3-<name> when its version is the locked one (imported
#      into the store, as inputs.nixpkgs does);
#   2. a wheel listed for it in the lock, fetched by its sha256 from PyPI's files host with
#      builtins.fetchurl — a wheel already in the store (same name and hash) is not downloaded.
# Sources (sdists) are not built (so preferWheels, accepted, changes nothing): a package with
# neither is an error naming it. Python is the host's Debian Python, so pythonVersion must be
# "3.11". `overrides self super` may replace entries of the set { <normalised name> = store path;
# … } (a Debian-style tree with lib/python3/dist-packages, one with lib/python3.11/site-packages,
# or a .whl file) before the tree is made.
{ __nixpkgs__, lib, makeDerivation, ... }:
{ pythonProjectDir, pythonVersion, preferWheels ? true, overrides ? (self: super: { }) }:
let
  dir = toString pythonProjectDir;
  fail = msg: throw "makePythonPoetryEnvironment (${dir}): ${msg}";
  python = if pythonVersion == "3.11" then __nixpkgs__.python3
    else fail "pythonVersion '${pythonVersion}': m's Python is the host's Debian Python 3.11; use \"3.11\"";

  checkFile = f: if builtins.pathExists "${dir}/${f}" then "${dir}/${f}" else fail "no ${f} (makePythonEnvironment needs pyproject.toml and poetry.lock)";
  pyproject = builtins.fromTOML (builtins.readFile (checkFile "pyproject.toml"));
  lock = builtins.fromTOML (builtins.readFile (checkFile "poetry.lock"));
  projectName = pyproject.tool.poetry.name or pyproject.project.name or "python-project";

  # PEP 503 names: lower case, runs of -_. as one -.
  normalise = name: lib.toLower (builtins.concatStringsSep "-"
    (builtins.filter builtins.isString (builtins.split "[-_.]+" name)));
  # Debian names python modules (python3-<module>), not distributions, where they differ.
  debianNames = {
    pyyaml = "yaml"; python-dateutil = "dateutil"; beautifulsoup4 = "bs4"; pyjwt = "jwt";
    pyopenssl = "openssl"; attrs = "attr"; pygobject = "gi"; typing-extensions = "typing-extensions";
    protobuf = "protobuf"; msgpack = "msgpack"; pillow = "pil"; scikit-learn = "sklearn";
  };

  # Wheels this interpreter can load: pure Python 3, or CPython 3.11 / abi3 for x86_64 Linux.
  compatible = file: builtins.match
    ".*-(py3|py2[.]py3|cp3[0-9]+)-(none|abi3|cp311)-(any|(many|musl)?linux[^.]*x86_64)[.]whl" file != null
    && (builtins.match ".*-cp3[0-9]+-cp311-.*" file != null || builtins.match ".*-cp3[0-9]+-.*" file == null
        || builtins.match ".*-cp3[0-9]+-abi3-.*" file != null);

  filesOf = pkg: pkg.files or (lock.metadata.files.${pkg.name} or [ ]);

  wheelOf = pkg:
    let wheels = builtins.filter (f: compatible f.file) (filesOf pkg); in
    if wheels == [ ] then null
    else
      let
        w = builtins.head wheels;
        parts = builtins.filter builtins.isString (builtins.split "-" w.file);
        pyTag = builtins.elemAt parts (builtins.length parts - 3);
        sha256 = let m = builtins.match "sha256:([0-9a-f]{64})" w.hash; in
          if m == null then fail "${pkg.name}: wheel ${w.file} has no sha256 hash in poetry.lock" else builtins.head m;
      in builtins.fetchurl {
        url = "https://files.pythonhosted.org/packages/${pyTag}/${builtins.substring 0 1 pkg.name}/${pkg.name}/${w.file}";
        name = w.file;
        inherit sha256;
      };

  debianOf = pkg:
    let
      n = normalise pkg.name;
      deb = "python3-${debianNames.${n} or n}";
      p = __nixpkgs__.${deb} or null;
      version = if p == null then null
        else let base = builtins.substring 33 1000 (baseNameOf (builtins.unsafeDiscardStringContext p.outPath));
             in builtins.substring (builtins.stringLength deb + 1) 1000 base;
    in if p != null && version == pkg.version then p else null;

  sourceOf = pkg:
    let
      first = debianOf pkg;
      second = wheelOf pkg;
      n = normalise pkg.name;
    in if first != null then first
       else if second != null then second
       else fail "${pkg.name} ${pkg.version}: no wheel for Python 3.11 on x86_64 Linux in poetry.lock, and no Debian package python3-${debianNames.${n} or n} at version ${pkg.version} on this host (m builds no sdists)";

  # Dependencies need not be installed when they only serve other platforms or Python versions;
  # m installs every locked package of the main group (and the others poetry.lock lists).
  base = builtins.listToAttrs (map (pkg: { name = normalise pkg.name; value = sourceOf pkg; }) (lock.package or [ ]));
  final = base // overrides final base;
in
makeDerivation {
  name = "python-environment-for-${projectName}";
  env = {
    envPython = python;
    envSources = builtins.toJSON (builtins.attrValues final);
    envInstall = ./make-python-poetry-environment.py;
  };
  searchPaths.bin = [ python ];
  builder = ''python3 "$envInstall" "$envPython" "$out" "$envSources"'';
} // { inherit pythonVersion; }
