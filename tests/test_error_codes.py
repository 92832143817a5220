"""The error-code registry: every code raised or reported is listed, with a meaning."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import jwe_steps.errors as errors
from jwe_steps.errors import CODES, JWEError

PACKAGE = Path(errors.__file__).parent
CODE_LITERAL = re.compile(r"""\bcode\s*=\s*["']([a-z0-9_]+\.[a-z0-9_.]+)["']""")


def _error_classes() -> list[type[JWEError]]:
    return [JWEError, *(getattr(errors, n) for n in errors.__all__ if n.endswith("Error"))]


def test_codes_are_dotted_and_explained() -> None:
    for code, meaning in CODES.items():
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", code), code
        assert meaning and meaning == meaning.strip(), code


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_error_class_has_a_listed_default_code(cls: type[JWEError]) -> None:
    assert cls.code in CODES
    assert cls("x").to_dict()["code"] == cls.code


def test_an_unlisted_code_is_refused() -> None:
    with pytest.raises(ValueError, match="not listed"):
        JWEError("x", code="no.such_code")


def test_every_code_literal_in_the_package_is_listed() -> None:
    unlisted = {
        (path.relative_to(PACKAGE).as_posix(), code)
        for path in PACKAGE.rglob("*.py")
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8"))
        if code not in CODES
    }
    assert not unlisted


def test_the_registry_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        CODES["x.y"] = "z"  # type: ignore[index]


def test_the_documented_list_is_the_registry() -> None:
    """docs/error-codes.md is generated from CODES; regenerate it when a code is added."""
    script = PACKAGE.parent / "scripts" / "write_error_codes.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    document = (PACKAGE.parent / "docs" / "error-codes.md").read_text(encoding="utf-8")
    assert all(f"| `{code}` |" in document for code in CODES)
