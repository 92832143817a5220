"""The README's commands work pasted in order on a fresh clone.

The convention (also written at the top of README.md's source):

- ```sh blocks are run, in the order they appear, in ONE bash session (``set -eo pipefail``),
  so variables, files and ``source .venv/bin/activate`` carry over from block to block, as they
  would for someone pasting them into one terminal;
- the session runs in a fresh copy of the repository (its files, not .venv, .git or caches)
  whose ``.venv`` is the environment running this test, as `make install` leaves it; ``.venv/bin``
  is NOT on PATH, so the README must say ``.venv/bin/jwe-steps`` or ``source .venv/bin/activate``
  before a plain ``jwe-steps``, as the quick start does;
- ```console and ```text blocks are shown, never run: servers (``make lab``, ``make app``,
  ``jwe-steps serve`` and calls to it) and long commands (``make test``) go there;
- ```python blocks (and blocks of any other language) are not run by this test.

A new section that follows the convention is picked up with no change here. A block that does
not finish within BLOCK_TIMEOUT seconds (a server in an ```sh block) fails the test, saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

README = ROOT / "README.md"
RUN, SHOWN = "sh", ("console", "text")
BLOCK_TIMEOUT = 60  # seconds for one block
FENCE = re.compile(r"^```([\w+-]*)\s*$")
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis",
    "test-artifacts", "node_modules", ".ipynb_checkpoints", "*.egg-info",
)  # fmt: skip


def code_blocks(text: str) -> list[tuple[str, int, str]]:
    """(language, first line number, body) of every fenced block, in order."""
    blocks: list[tuple[str, int, str]] = []
    language: str | None = None
    start, body = 0, []
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if language is None and match:
            language, start, body = match.group(1), number + 1, []
        elif language is not None and line.strip() == "```":
            blocks.append((language, start, "\n".join(body)))
            language = None
        elif language is not None:
            body.append(line)
    assert language is None, f"README.md: the block opened at line {start - 1} is never closed"
    return blocks


def session_script(blocks: list[tuple[str, int, str]]) -> str:
    """One bash script: each ```sh block in order, announced on stderr by its README line."""
    lines = ["set -eo pipefail"]
    for language, start, body in blocks:
        if language == RUN:
            lines += [f"echo '@@ README.md line {start}' >&2", body]
    return "\n".join(lines) + "\n"


def test_the_convention_is_written_at_the_top_of_the_readme():
    head = README.read_text().split("\n# ", 1)[0]
    assert "tests/test_readme.py" in head
    assert "```sh blocks are run, in order" in " ".join(head.split())
    for shown in SHOWN:
        assert f"```{shown}" in head


def test_the_parser_reads_fences_and_their_order():
    text = "intro\n```sh\necho one\n```\n```console\n$ make lab\n```\n```\nplain\n```\n"
    assert code_blocks(text) == [
        ("sh", 3, "echo one"),
        ("console", 6, "$ make lab"),
        ("", 9, "plain"),
    ]
    script = session_script(code_blocks(text))
    assert "echo one" in script and "make lab" not in script and "plain" not in script
    with pytest.raises(AssertionError, match="never closed"):
        code_blocks("```sh\necho unterminated\n")


def test_servers_and_long_commands_are_only_shown():
    for language, start, body in code_blocks(README.read_text()):
        if language != RUN:
            continue
        for command in ("make lab", "make app", "make test", "jwe-steps serve", "jwe-steps app"):
            assert command not in body, f"README.md line {start}: `{command}` belongs in ```console"


def _fresh_copy(destination: Path) -> Path:
    copy = destination / "jwe-steps"
    shutil.copytree(ROOT, copy, ignore=IGNORED, symlinks=True)
    (copy / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return copy


@pytest.mark.slow
def test_the_readme_shell_blocks_run_in_order_on_a_fresh_copy(tmp_path: Path):
    blocks = code_blocks(README.read_text())
    runnable = [block for block in blocks if block[0] == RUN]
    assert len(runnable) >= 3, "the README should have runnable ```sh blocks"
    copy = _fresh_copy(tmp_path)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "JUPYTER_TOKEN"}
    }
    # Not on PATH: the README's own `source .venv/bin/activate` must put it there.
    env["PATH"] = os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if Path(entry).resolve() != Path(sys.prefix, "bin").resolve()
    )
    env["HOME"] = str(tmp_path / "home")  # nothing from the tester's own dotfiles
    (tmp_path / "home").mkdir()
    script = copy / ".readme-session.sh"
    script.write_text(session_script(blocks))
    timeout = BLOCK_TIMEOUT * len(runnable)
    try:
        result = subprocess.run(
            ["bash", str(script)], cwd=copy, env=env, capture_output=True, text=True,
            timeout=timeout, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired as expired:
        stderr = expired.stderr.decode() if isinstance(expired.stderr, bytes) else expired.stderr
        last = re.findall(r"@@ (README\.md line \d+)", stderr or "")
        pytest.fail(
            f"the README's shell blocks did not finish in {timeout} s; the last one started: "
            f"{last[-1] if last else '?'} (a server belongs in a ```console block)"
        )
    started = re.findall(r"@@ (README\.md line \d+)", result.stderr)
    assert result.returncode == 0, (
        f"{started[-1] if started else 'the README'}: exit {result.returncode} (a block that "
        "cannot run as pasted, e.g. a synopsis with placeholders, belongs in ```text)\n"
        f"stdout:\n{result.stdout[-2000:]}\nstderr:\n{result.stderr[-3000:]}"
    )
    assert len(started) == len(runnable)
    # What the blocks did, checked from outside: one key and token file name throughout.
    assert (copy / "me.jwk").is_file() and (copy / "token.jwe").is_file()
