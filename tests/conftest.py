"""Shared fixtures: where the Wycheproof vectors live, and demo keys made once per session."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def vectors_dir() -> Path:
    """$JWE_STEPS_VECTORS, else ../shared/vectors next to the checkout."""
    configured = os.environ.get("JWE_STEPS_VECTORS")
    return Path(configured) if configured else ROOT.parent / "shared" / "vectors"


def load_wycheproof(name: str) -> dict[str, Any]:
    """Load wycheproof/<name> or skip (fail under CI=true) with where to get it."""
    path = vectors_dir() / "wycheproof" / name
    if not path.is_file():
        message = (
            f"Wycheproof vector file {path} not found. Get Project Wycheproof's "
            f"testvectors_v1/{name} (C2SP/wycheproof, Apache-2.0) and point JWE_STEPS_VECTORS "
            "at the folder that holds wycheproof/, or place it at ../shared/vectors/wycheproof/."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@pytest.fixture(scope="session")
def wycheproof():
    """``wycheproof("aes_gcm_test.json")`` returns the parsed file (or skips, see above)."""
    return load_wycheproof


@pytest.fixture(scope="session")
def rsa_key():
    """A 2048-bit DEMO RSA key, generated once per test session."""
    import jwe_steps

    return jwe_steps.generate_key("RSA", size=2048)
