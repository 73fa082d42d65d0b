"""Merges the settings for a Python environment into a VS Code settings.json.

argv: settings.json path, the environment, Debian's Python (used when the environment has no
bin/python). Keys already in the file are kept unless this sets them.
"""
import json
import os
import sys


def main(settings_path: str, env: str, python: str) -> None:
    if not os.path.isdir(env):
        sys.exit(f"[CRITICAL] Non existent env: {env}")
    has_python = os.path.exists(os.path.join(env, "bin", "python"))
    interpreter = os.path.join(env, "bin", "python") if has_python else os.path.join(python, "bin", "python3")
    tool = lambda name: os.path.join(env if os.path.exists(os.path.join(env, "bin", name)) else python, "bin", name)
    ours = {
        "python.pythonPath": interpreter,
        "python.defaultInterpreterPath": interpreter,
        "mypy.dmypyExecutable": tool("dmypy"),
        "python.linting.pylintPath": tool("pylint"),
        "python.testing.pytestArgs": ["tests"],
        "python.testing.unittestEnabled": False,
        "python.testing.pytestEnabled": True,
        "python.linting.enabled": True,
        "python.linting.mypyEnabled": False,
        "python.linting.pylintEnabled": True,
    }
    site = os.path.join(env, "lib", "python3.11", "site-packages")
    if not has_python and os.path.isdir(site):
        ours["python.analysis.extraPaths"] = [site]
    settings = {}
    if os.path.exists(settings_path):
        with open(settings_path, encoding="utf-8") as f:
            text = f.read()
        if text.strip():
            try:
                settings = json.loads(text)
            except json.JSONDecodeError as e:
                sys.exit(f"[CRITICAL] {settings_path} is not JSON: {e}")
    settings.update(ours)
    with open(settings_path, "w", encoding="utf-8") as f:
        json.dump(settings, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
