# makePythonPyprojectPackage { src; pkgDeps = { runtime_deps; build_deps; test_deps; }; } →
# { pkg; env = { runtime; dev; }; check = { tests; types; }; } as makes. The name comes from
# pyproject.toml's [project] and the version from <name>/__init__.py's __version__ (as makes).
# makes builds with the caller's nixpkgs buildPythonPackage/buildEnv; m has no nixpkgs, so when
# those are left out it installs the package itself with Debian's Python 3.11: a flat-layout
# pure-Python package is copied into lib/python3.11/site-packages with its dist-info and console
# scripts (no build backend runs; extension modules are refused). Deps are store trees with
# lib/python3.11/site-packages or Debian's lib/python3/dist-packages (inputs.nixpkgs.python3-*),
# each listed (Debian's Python dependencies are not followed). As in makes, building pkg imports
# it, then runs `mypy . --config-file ./mypy.ini` and `pytest ./tests` in the source (test_deps
# must hold mypy and pytest: Debian's python3-mypy, python3-pytest and their dependencies);
# check.types and check.tests run one each. env.runtime is pkg with runtime_deps, env.dev
# runtime_deps and test_deps, each with bin/python (Debian's, seeing the environment).
{ __nixpkgs__, lib, makeDerivation, ... }:
{ src, pkgDeps, buildEnv ? null, buildPythonPackage ? null }:
let
  python = __nixpkgs__.python3;
  deps = kind: pkgDeps.${kind} or [ ];
  project = (builtins.fromTOML (builtins.readFile "${src}/pyproject.toml")).project
    or (throw "makePythonPyprojectPackage: ${toString src}/pyproject.toml has no [project] table");
  inherit (project) name;
  versionMatch = builtins.match ".*__version__ *= *[\"']([^\"']+)[\"'].*"
    (builtins.readFile "${src}/${name}/__init__.py");
  version = if versionMatch == null
    then throw "makePythonPyprojectPackage: no __version__ = \"…\" in ${toString src}/${name}/__init__.py"
    else builtins.head versionMatch;
  pythonPath = list: builtins.concatStringsSep ":"
    (builtins.concatMap (p: [ "${p}/lib/python3.11/site-packages" "${p}/lib/python3/dist-packages" ]) list);

  build = suffix: checks: makeDerivation {
    name = "python3.11-${name}-${version}${suffix}";
    env = {
      envSrc = src;
      envPython = python;
      envName = name;
      envVersion = version;
      envProject = builtins.toJSON project;
      envInstall = ./make-python-pyproject-package.py;
      envRuntimePath = pythonPath (deps "runtime_deps");
      envCheckPath = pythonPath (deps "runtime_deps" ++ deps "build_deps" ++ deps "test_deps");
      envChecks = builtins.concatStringsSep " " checks;
    };
    searchPaths.bin = [ python ];
    builder = ''
      copy "$envSrc" src
      cd src
      python3 "$envInstall" "$envPython" "$out" "$envName" "$envVersion" "$envProject" "$envRuntimePath"
      site="$out/lib/python3.11/site-packages"
      info "Import check: $envName"
      PYTHONPATH="$site:$envRuntimePath" python3 -c "import $envName"
      export PYTHONPATH="$site:$envCheckPath" PYTHONDONTWRITEBYTECODE=1 HOME="$PWD"
      for check in $envChecks; do
        case "$check" in
          types)
            info "Executing type check phase"
            python3 -c "import mypy" 2> /dev/null || critical "test_deps must provide mypy (Debian's python3-mypy and the python3-* packages it depends on)"
            python3 -m mypy --version
            python3 -m mypy . --config-file ./mypy.ini
            info "Finished type check phase" ;;
          tests)
            info "Executing test phase"
            python3 -c "import pytest" 2> /dev/null || critical "test_deps must provide pytest (Debian's python3-pytest and the python3-* packages it depends on)"
            python3 -m pytest --version
            python3 -m pytest -p no:cacheprovider ./tests
            info "Finished test phase" ;;
        esac
      done
      if test "$envChecks" != "types tests"; then
        # check.types / check.tests: the package itself is pkg
        rm -rf "$out" && echo "$envChecks passed for $envName $envVersion" > "$out"
      fi
    '';
  };

  environment = what: sources: makeDerivation {
    name = "python3.11-${name}-${version}-env-${what}";
    env = {
      envPython = python;
      envBash = __nixpkgs__.bash;
      envSources = builtins.toJSON sources;
      envLayout = ./make-python-poetry-environment.py;
    };
    searchPaths.bin = [ python ];
    builder = ''
      python3 "$envLayout" "$envPython" "$out" "$envSources"
      printf '#! %s/bin/bash\nexport PYTHONPATH=%s/lib/python3.11/site-packages''${PYTHONPATH:+:$PYTHONPATH}\nexec %s/bin/python3 "$@"\n' \
        "$envBash" "$out" "$envPython" > "$out/bin/python"
      chmod +x "$out/bin/python"
    '';
  };

  pkg = build "" [ "types" "tests" ];
in
if buildPythonPackage != null && buildEnv != null
then throw "makePythonPyprojectPackage: buildPythonPackage and buildEnv are nixpkgs' (m has none); leave them out and m installs the package itself"
else {
  inherit pkg;
  env = {
    runtime = environment "runtime" ([ pkg ] ++ deps "runtime_deps");
    dev = environment "dev" (deps "runtime_deps" ++ deps "test_deps");
  };
  check = {
    tests = build "-check-tests" [ "tests" ];
    types = build "-check-types" [ "types" ];
  };
}
