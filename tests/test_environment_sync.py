"""One set of versions everywhere: pyproject.toml's ranges, pinned by requirements/lock.txt.

The lock (made by `make lock`: uv pip compile, every extra, every platform, with hashes) is what
`make install` (hence `make lab`, `make app`, `make test` and `.ci/run`) and environment.yml
(conda, Binder) install. These tests fail when the lock is stale: a requirement added to or
tightened in pyproject.toml without `make lock`, or one removed from it but still pinned.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LOCK = ROOT / "requirements" / "lock.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pyproject_requirements() -> list[Requirement]:
    """Every requirement of the project and its extras, without the extras naming the project."""
    entries = list(project()["dependencies"])
    for group in project()["optional-dependencies"].values():
        entries.extend(group)
    own = canonicalize_name(project()["name"])
    return [r for r in map(Requirement, entries) if canonicalize_name(r.name) != own]


def lock_entries(text: str | None = None) -> dict[str, dict]:
    """name -> {"versions": [...], "hashes": n, "direct": bool} from the lock's text."""
    text = LOCK.read_text() if text is None else text
    entries: dict[str, dict] = {}
    current: dict | None = None
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            current = entries.setdefault(name, {"versions": [], "hashes": 0, "direct": False})
            current["versions"].append(Version(match.group(2)))
        elif current is not None and line.strip().startswith("--hash=sha256:"):
            current["hashes"] += 1
        elif current is not None and "jwe-steps (pyproject.toml)" in line:
            current["direct"] = True
    return entries


def stale_requirements(requirements: list[Requirement], entries: dict[str, dict]) -> list[str]:
    """Requirements the lock does not pin to an allowed version (empty when the lock is fresh)."""
    problems = []
    for requirement in requirements:
        entry = entries.get(canonicalize_name(requirement.name))
        if entry is None:
            problems.append(f"{requirement}: not in the lock")
        elif not any(
            requirement.specifier.contains(v, prereleases=True) for v in entry["versions"]
        ):
            pinned = ", ".join(map(str, entry["versions"]))
            problems.append(f"{requirement}: the lock pins {pinned}")
    return problems


def test_the_lock_pins_every_requirement_within_its_range():
    assert stale_requirements(pyproject_requirements(), lock_entries()) == [], "run `make lock`"


def test_the_lock_pins_nothing_pyproject_no_longer_asks_for():
    wanted = {canonicalize_name(r.name) for r in pyproject_requirements()}
    direct = {name for name, entry in lock_entries().items() if entry["direct"]}
    assert direct - wanted == set(), "run `make lock`"
    assert direct == wanted


def test_every_pin_is_hash_checked():
    entries = lock_entries()
    assert len(entries) > 50  # the whole tree, not the direct requirements only
    assert [name for name, entry in entries.items() if entry["hashes"] == 0] == []


def test_the_staleness_check_can_fail():
    """The check above reports a range the lock misses, and a requirement it lacks."""
    entries = lock_entries("cryptography==44.0.0 \\\n    --hash=sha256:00\n")
    problems = stale_requirements(
        [Requirement("cryptography>=45"), Requirement("no-such-package>=1")], entries
    )
    assert problems == [
        "cryptography>=45: the lock pins 44.0.0",
        "no-such-package>=1: not in the lock",
    ]


def test_the_lock_is_made_by_make_lock_with_a_pinned_tool():
    assert LOCK.read_text().splitlines()[1].strip() == "#    make lock"
    makefile = (ROOT / "Makefile").read_text()
    version = re.search(r"^UV_VERSION := (\S+)$", makefile, re.M)
    assert version and re.fullmatch(r"\d+\.\d+\.\d+", version.group(1))
    assert "uv==$(UV_VERSION)" in makefile
    recipe = makefile.split("\nlock:", 1)[1].split("\n\n", 1)[0]
    for option in ("--all-extras", "--universal", "--generate-hashes", "-o $(LOCK)"):
        assert option in recipe, option


def test_make_install_installs_the_lock_then_the_project_without_dependencies():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^LOCK := requirements/lock\.txt$", makefile, re.M)
    recipe = makefile.split("\n$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert recipe.splitlines()[0].split() == ["pyproject.toml", "$(LOCK)"]  # rebuilt on change
    assert "install --quiet --require-hashes -r $(LOCK)" in recipe
    assert "install --quiet --no-deps -e ." in recipe
    # lab, app and test (hence .ci/run) all go through install.
    for target in ("lab", "app", "lint", "typecheck", "unit"):
        assert re.search(rf"^{target}: install\b", makefile, re.M), target
    assert re.search(r"^test: lint typecheck unit\b", makefile, re.M)
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def _environment_yml() -> tuple[list[str], list[str]]:
    """(conda dependencies, pip entries) of environment.yml."""
    conda: list[str] = []
    pip: list[str] = []
    section = None
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped:
            continue
        if not line.startswith(" "):
            section = stripped
        elif section == "dependencies:" and re.match(r"^  - ", stripped):
            conda.append(stripped[4:].strip())
        elif section == "dependencies:" and re.match(r"^      - ", stripped):
            pip.append(stripped.strip()[2:].strip())
    return conda, pip


def test_environment_yml_installs_the_lock_and_nothing_else():
    conda, pip = _environment_yml()
    assert conda == ["python=3.11", "pip", "pip:"]
    assert pip == ["-r requirements/lock.txt"]
    # The Python the lock was compiled for is the one conda installs, and one pyproject allows.
    assert "--python-version 3.11" in (ROOT / "Makefile").read_text()
    assert project()["requires-python"] == ">=3.11"


def test_binder_installs_the_project_itself_after_the_lock():
    post_build = ROOT / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install --no-deps -e ." in post_build.read_text()


@pytest.mark.parametrize("extra", ["lab", "app", "test", "bench"])
def test_the_dev_extra_is_every_other_extra(extra: str):
    extras = project()["optional-dependencies"]
    (dev,) = extras["dev"]
    assert extra in Requirement(dev).extras
    assert set(Requirement(dev).extras) == set(extras) - {"dev"}


def test_the_app_server_is_a_dependency_of_the_app_extra():
    names = {
        canonicalize_name(Requirement(r).name) for r in project()["optional-dependencies"]["app"]
    }
    assert "voila" in names
    assert Path(ROOT / "jwe_steps" / "app").is_dir()
