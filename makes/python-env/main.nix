# A Python environment from pyproject.toml + poetry.lock (makes' makePythonEnvironment). Both
# locked packages are Debian's python3-six and python3-toml at the locked versions, so nothing is
# downloaded; a locked wheel would be fetched by its sha256 (or found in the store).
{ makePythonEnvironment, makeScript, projectPath, ... }:
makeScript {
  name = "python-env";
  searchPaths.source = [
    (makePythonEnvironment {
      pythonProjectDir = projectPath "/makes/python-env";
      pythonVersion = "3.11";
    })
  ];
  entrypoint = ''
    python3 -c 'import six, toml; print(toml.dumps({"six": six.__version__}), end="")'
  '';
}
