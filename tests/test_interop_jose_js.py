"""panva/jose (JavaScript, run with Node.js) reads our tokens and we read its tokens.

The peer is tests/js/jose_peer.mjs with the `jose` package from tests/js/package-lock.json
(`make test` runs `npm ci --prefix tests/js` when npm is available). Without Node.js or the
package these tests skip, unless JWE_STEPS_REQUIRE_JS_PEER=1 (set by CI) makes that a failure.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from typing import Any

import pytest
from conftest import ROOT

import jwe_steps

PEER = ROOT / "tests" / "js" / "jose_peer.mjs"
JOSE = ROOT / "tests" / "js" / "node_modules" / "jose" / "package.json"


def _require_peer() -> str:
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "Node.js is not installed"
    elif not JOSE.is_file():
        problem = "the jose package is not installed: run `npm ci --prefix tests/js`"
    if problem:
        if os.environ.get("JWE_STEPS_REQUIRE_JS_PEER") == "1":
            pytest.fail(f"panva/jose peer required but unavailable: {problem}")
        pytest.skip(f"panva/jose peer unavailable: {problem}")
    assert node is not None
    return node


def run_peer(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = _require_peer()
    done = subprocess.run(
        [node, str(PEER)], input=json.dumps(jobs).encode(), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    """DEMO keys, one per family, made once for the module."""
    return {
        "RSA": jwe_steps.generate_key("RSA"),
        "P-256": jwe_steps.generate_key("EC", crv="P-256"),
        "P-384": jwe_steps.generate_key("EC", crv="P-384"),
        "X25519": jwe_steps.generate_key("OKP", crv="X25519"),
        "oct16": os.urandom(16),
        "oct32": os.urandom(32),
        "oct64": os.urandom(64),
        "password": b"correct horse battery staple (demo)",
    }


# (alg, enc, which key, extra protected header members for our side)
CASES = [
    ("RSA-OAEP-256", "A256GCM", "RSA", {}),
    ("RSA-OAEP-256", "A128CBC-HS256", "RSA", {}),
    ("RSA-OAEP", "A128GCM", "RSA", {}),
    ("RSA-OAEP-384", "A192GCM", "RSA", {}),
    ("RSA-OAEP-512", "A256CBC-HS512", "RSA", {}),
    ("A128KW", "A128GCM", "oct16", {}),
    ("A256KW", "A256CBC-HS512", "oct32", {}),
    ("A256GCMKW", "A256GCM", "oct32", {}),
    ("dir", "A256GCM", "oct32", {}),
    ("dir", "A256CBC-HS512", "oct64", {}),
    ("ECDH-ES", "A256GCM", "P-256", {}),
    ("ECDH-ES+A256KW", "A256GCM", "P-384", {}),
    ("ECDH-ES+A128KW", "A128GCM", "X25519", {}),
    ("PBES2-HS256+A128KW", "A128GCM", "password", {"p2c": 4096}),
    # No p2c: encrypt()'s default must be one jose accepts (its cap is 10 000; issue 13).
    ("PBES2-HS512+A256KW", "A256GCM", "password", {}),
]
IDS = [f"{alg}+{enc}+{key}" for alg, enc, key, _ in CASES]


def _peer_key(keys: dict[str, Any], name: str, *, private: bool) -> dict[str, Any]:
    material = keys[name]
    if isinstance(material, bytes):
        return {"secret_b64": b64(material)}
    jwk = material.to_jwk(private=private)
    return {"jwk": {k: v for k, v in jwk.items() if k not in ("kid", "use", "alg")}}


def _our_key(keys: dict[str, Any], name: str, *, private: bool) -> Any:
    material = keys[name]
    if isinstance(material, bytes):
        return material
    return material if private else material.public_key()


@pytest.fixture(scope="module")
def jose_decrypts_ours(keys) -> list[tuple[bytes, dict[str, Any]]]:
    """Our tokens for every case, and what jose made of them (one Node process for all)."""
    plaintexts, jobs = [], []
    for index, (alg, enc, name, extra) in enumerate(CASES):
        plaintext = f"from jwe-steps #{index} ✓ {alg} {enc}".encode()
        token = jwe_steps.encrypt(
            plaintext, _our_key(keys, name, private=False), alg=alg, enc=enc, header=extra
        ).token
        plaintexts.append(plaintext)
        jobs.append(
            {"op": "decrypt", "alg": alg, "enc": enc, "token": token}
            | _peer_key(keys, name, private=True)
        )
    return list(zip(plaintexts, run_peer(jobs), strict=True))


@pytest.fixture(scope="module")
def jose_tokens(keys) -> list[tuple[bytes, dict[str, Any]]]:
    """Tokens jose made for every case (one Node process for all)."""
    plaintexts, jobs = [], []
    for index, (alg, enc, name, _) in enumerate(CASES):
        plaintext = f"from panva/jose #{index} ✓ {alg} {enc}".encode()
        plaintexts.append(plaintext)
        jobs.append(
            {"op": "encrypt", "alg": alg, "enc": enc, "plaintext_b64": b64(plaintext)}
            | _peer_key(keys, name, private=False)
        )
    return list(zip(plaintexts, run_peer(jobs), strict=True))


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_jose_decrypts_our_tokens(jose_decrypts_ours, index):
    plaintext, result = jose_decrypts_ours[index]
    assert "error" not in result, result.get("error")
    assert base64.b64decode(result["plaintext_b64"]) == plaintext
    alg, enc, _, _ = CASES[index]
    assert result["header"]["alg"] == alg and result["header"]["enc"] == enc


@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_we_decrypt_jose_tokens(jose_tokens, keys, index):
    plaintext, result = jose_tokens[index]
    assert "error" not in result, result.get("error")
    alg, enc, name, _ = CASES[index]
    trace = jwe_steps.decrypt(result["token"], _our_key(keys, name, private=True))
    assert trace.plaintext == plaintext
    assert trace.header["alg"] == alg and trace.header["enc"] == enc
