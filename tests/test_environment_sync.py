"""environment.yml (conda, Binder) and pyproject.toml must name the same packages and versions."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT

# Where a conda-forge package name differs from its PyPI name.
CONDA_NAME: dict[str, str] = {}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(requirement: str) -> tuple[str, str]:
    match = REQUIREMENT.match(requirement)
    assert match, requirement
    return _normalize(match.group(1)), match.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    entries = list(project["dependencies"])
    for group in project["optional-dependencies"].values():
        entries.extend(group)
    return dict(_split(entry) for entry in entries)


def conda_requirements() -> dict[str, str]:
    """The conda dependencies of environment.yml (not python, pip, or the pip: section)."""
    result: dict[str, str] = {}
    in_dependencies = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped:
            continue
        if not line.startswith(" "):
            in_dependencies = stripped == "dependencies:"
            continue
        if in_dependencies and re.match(r"^  - ", stripped):
            entry = stripped[4:].strip()
            if entry.startswith("pip:") or entry == "pip":
                continue
            name, spec = _split(
                entry.replace("=", "==", 1) if re.match(r"^[\w-]+=[^=<>]", entry) else entry
            )
            if name != "python":
                result[name] = spec
    return result


def test_same_packages_and_specifiers():
    wanted = {CONDA_NAME.get(name, name): spec for name, spec in pyproject_requirements().items()}
    assert conda_requirements() == wanted


def test_environment_installs_the_project_itself():
    text = (ROOT / "environment.yml").read_text()
    assert "-e ." in text, "environment.yml must install jwe-steps itself through pip"
