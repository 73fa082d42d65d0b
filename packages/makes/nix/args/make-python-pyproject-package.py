"""Installs a pure-Python pyproject package for makePythonPyprojectPackage.

usage: make-python-pyproject-package.py PYTHON OUT NAME VERSION PROJECT_JSON RUNTIME_PATH

Run in the project's source: NAME/ (flat layout, as makes reads NAME/__init__.py for the version)
is copied into OUT/lib/python3.11/site-packages with a NAME-VERSION.dist-info (METADATA,
entry_points.txt, INSTALLER), and each [project.scripts] entry becomes OUT/bin/<script>, run by
PYTHON with OUT's site-packages and then RUNTIME_PATH (the runtime deps, colon-separated) first
on sys.path. No build backend runs: C extensions and other
layouts are refused by name.
"""
import json
import os
import shutil
import sys

python, out, name, version, project = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
runtime_path = [p for p in sys.argv[6].split(":") if p]
site = os.path.join(out, "lib", "python3.11", "site-packages")

if not os.path.isfile(os.path.join(name, "__init__.py")):
    sys.exit(f"makePythonPyprojectPackage: {name}/__init__.py not found (m installs flat-layout pure-Python packages)")
for root, _, files in os.walk(name):
    for f in files:
        if f.endswith((".c", ".pyx", ".so")):
            sys.exit(f"makePythonPyprojectPackage: {os.path.join(root, f)}: extension modules are not built by m")

os.makedirs(site)
shutil.copytree(name, os.path.join(site, name), ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

dist = os.path.join(site, f"{name.replace('-', '_')}-{version}.dist-info")
os.makedirs(dist)
lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
if "description" in project:
    lines.append(f"Summary: {project['description']}")
if "requires-python" in project:
    lines.append(f"Requires-Python: {project['requires-python']}")
for dep in project.get("dependencies", []):
    lines.append(f"Requires-Dist: {dep}")
with open(os.path.join(dist, "METADATA"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(dist, "INSTALLER"), "w") as f:
    f.write("m\n")

scripts = project.get("scripts", {})
if scripts:
    with open(os.path.join(dist, "entry_points.txt"), "w") as f:
        f.write("[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in sorted(scripts.items())))
    bindir = os.path.join(out, "bin")
    os.makedirs(bindir)
    for script, target in sorted(scripts.items()):
        module, _, attr = target.partition(":")
        path = os.path.join(bindir, script)
        with open(path, "w") as f:
            f.write(
                f"#!{python}/bin/python3\n"
                "import sys\n"
                f"sys.path[0:0] = {[site] + runtime_path!r}\n"
                f"from {module} import {attr.split('.')[0]} as _entry\n"
                f"sys.exit(_entry{''.join('.' + a for a in attr.split('.')[1:])}())\n"
            )
        os.chmod(path, 0o755)
