"""Lays out a Python environment for makePythonPoetryEnvironment.

usage: make-python-poetry-environment.py PYTHON OUT SOURCES_JSON

Each source is a store path: a wheel file (unpacked as pip would install it), or a tree holding
lib/python3/dist-packages (Debian) or lib/python3.X/site-packages, whose entries are linked.
Console scripts of wheels become OUT/bin/<name>, run by PYTHON/bin/python3.
"""
import configparser
import json
import os
import sys
import zipfile

python, out, sources = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
site = os.path.join(out, "lib", "python3.11", "site-packages")
bindir = os.path.join(out, "bin")
os.makedirs(site)
os.makedirs(bindir)
interpreter = os.path.join(python, "bin", "python3")


def link_tree(src, dst):
    """Links src's entries into dst; directories both have are merged."""
    for name in sorted(os.listdir(src)):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if not os.path.lexists(d):
            os.symlink(s, d)
        elif os.path.isdir(s) and os.path.isdir(d):
            if os.path.islink(d):
                old = os.readlink(d)
                os.unlink(d)
                os.mkdir(d)
                link_tree(old, d)
            link_tree(s, d)
        else:
            sys.exit(f"python environment: {name} is provided twice ({s} and {os.path.realpath(d)})")


def write_script(name, text):
    path = os.path.join(bindir, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def install_wheel(whl):
    with zipfile.ZipFile(whl) as z:
        names = z.namelist()
        info = next((n for n in names if n.count("/") == 1 and n.split("/")[0].endswith(".dist-info")), None)
        if info is None:
            sys.exit(f"python environment: {whl} is not a wheel (no .dist-info)")
        dist_info = info.split("/")[0]
        data_dir = dist_info[: -len(".dist-info")] + ".data"
        for n in names:
            if n.endswith("/"):
                continue
            if n.startswith(data_dir + "/"):
                kind, _, rest = n[len(data_dir) + 1 :].partition("/")
                if kind in ("purelib", "platlib"):
                    target = os.path.join(site, rest)
                elif kind == "scripts":
                    target = os.path.join(bindir, rest)
                else:
                    target = os.path.join(out, kind, rest)
            else:
                target = os.path.join(site, n)
            if os.path.lexists(target):
                sys.exit(f"python environment: {n} of {os.path.basename(whl)} is provided twice")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(n) as src, open(target, "wb") as dst:
                dst.write(src.read())
            mode = (z.getinfo(n).external_attr >> 16) & 0o777
            os.chmod(target, 0o755 if (mode & 0o111 or target.startswith(bindir + "/")) else 0o644)
            if target.startswith(bindir + "/"):
                with open(target, "rb") as f:
                    body = f.read()
                if body.startswith(b"#!python"):
                    with open(target, "wb") as f:
                        f.write(b"#!" + interpreter.encode() + body[len(b"#!python"):])
        entry_points = f"{dist_info}/entry_points.txt"
        if entry_points in names:
            cp = configparser.ConfigParser(delimiters=("=",))
            cp.optionxform = str
            cp.read_string(z.read(entry_points).decode())
            if cp.has_section("console_scripts"):
                for name, ref in cp.items("console_scripts"):
                    module, _, attr = ref.strip().partition(":")
                    attr = attr.split("[")[0].strip()
                    write_script(name, f"#!{interpreter}\nimport sys\nfrom {module.strip()} import {attr.split('.')[0]}\n"
                                       f"sys.exit({attr}())\n")


for src in sources:
    if src.endswith(".whl"):
        install_wheel(src)
        continue
    found = False
    for rel in ("lib/python3/dist-packages", "lib/python3.11/site-packages", "lib/python3.11/dist-packages"):
        p = os.path.join(src, rel)
        if os.path.isdir(p):
            link_tree(p, site)
            found = True
    if not found:
        sys.exit(f"python environment: {src} has no lib/python3/dist-packages nor lib/python3.11/site-packages")
