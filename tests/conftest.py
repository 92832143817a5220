"""Shared fixtures: where the Wycheproof vectors live, and demo keys made once per session."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("JWE_STEPS_CHROMIUM", "/usr/bin/chromium"))


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a server a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_browser(what: str, modules: dict[str, str]) -> None:
    """Skip, naming each missing piece, unless Chromium and ``modules`` (module -> what it is)
    are there; with JWE_STEPS_REQUIRE_BROWSER=1 (set by .ci/run) a missing piece fails."""
    problems = [] if CHROMIUM.is_file() else [f"{CHROMIUM} not found (apt-get install chromium)"]
    problems += [
        f"{description} is not installed"
        for module, description in modules.items()
        if importlib.util.find_spec(module) is None
    ]
    if problems:
        message = f"{what} skipped: " + "; ".join(problems)
        if os.environ.get("JWE_STEPS_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " — and JWE_STEPS_REQUIRE_BROWSER=1 requires them")
        pytest.skip(message)


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


@pytest.fixture(scope="session")
def keys_by_kind(rsa_key):
    """DEMO keys for every key type the algorithms need: "RSA", "EC" (P-256), "password", and
    symmetric keys by size in bits (128, 192, 256, 384, 512)."""
    import jwe_steps

    return {
        "RSA": rsa_key,
        "EC": jwe_steps.generate_key("EC", crv="P-256"),
        "password": jwe_steps.load_key(b"correct horse battery staple"),
        **{bits: jwe_steps.generate_key("oct", size=bits) for bits in (128, 192, 256, 384, 512)},
    }


@contextmanager
def raises_code(code: str, error: type[BaseException] | None = None) -> Iterator[Any]:
    """``pytest.raises`` for a JWEError (or ``error``) whose stable ``code`` is ``code``.

    Tests assert codes, never message text: messages may be reworded, codes stay.
    """
    from jwe_steps.errors import JWEError

    with pytest.raises(error or JWEError) as caught:
        yield caught
    probe = os.environ.get("JWE_STEPS_CODE_PROBE")
    if probe and code.startswith("?"):
        with open(probe, "a", encoding="utf-8") as out:
            out.write(f"{code}\t{getattr(caught.value, 'code', None)}\n")
        return
    assert getattr(caught.value, "code", None) == code, (caught.value, code)


# P-256's field prime and curve coefficient b (SEC 2 §2.4.2; a = -3).
P256_PRIME = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def p256_point_with_small_x() -> tuple[int, int]:
    """A point (x, y) on P-256 with x so small that x + p still fits in 32 bytes: the same
    point written with a coordinate that is not reduced modulo the field prime."""
    for x in range(1, 1000):
        right = (x**3 - 3 * x + P256_B) % P256_PRIME
        y = pow(right, (P256_PRIME + 1) // 4, P256_PRIME)  # p = 3 (mod 4)
        if y * y % P256_PRIME == right:
            return x, y
    raise AssertionError("no point found")  # pragma: no cover


def run_cli(
    args: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> tuple[int, str]:
    """``jwe-steps ARGS`` run in this process with ``stdin`` as its input: (exit code, stdout)."""
    from jwe_steps.cli import main

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8"))))
    code = main(args)
    return code, capsys.readouterr().out


def nested_list(depth: int) -> Any:
    """``[[...[1]...]]``, ``depth`` arrays deep: a value deeper than a recursive walk can go."""
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture(scope="module")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A DEMO RSA key pair as JWK files, and a second key that is not the recipient's (for the
    recipe tests)."""
    import jwe_steps

    folder = tmp_path_factory.mktemp("recipe-keys")
    key = jwe_steps.generate_key("RSA", size=2048)
    other = jwe_steps.generate_key("RSA", size=2048)
    files = {
        "private": folder / "me.jwk",
        "public": folder / "me.pub.jwk",
        "other_private": folder / "other.jwk",
        "signing_public": folder / "sig.pub.jwk",
        "exponent_one": folder / "e1.pub.jwk",
    }
    files["private"].write_text(json.dumps(key.to_jwk(private=True)))
    files["public"].write_text(json.dumps(key.to_jwk()))
    files["other_private"].write_text(json.dumps(other.to_jwk(private=True) | {"kid": key.kid}))
    files["signing_public"].write_text(json.dumps(key.to_jwk() | {"use": "sig"}))
    # e = 1: "encrypting" leaves the OAEP-masked CEK readable by anyone.
    files["exponent_one"].write_text(json.dumps(key.to_jwk() | {"e": "AQ"}))
    return {"key": key, "files": files}
