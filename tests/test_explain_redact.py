"""Explanation.redacted() and `explain --redact`: a report that can go into a support ticket."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import jwe_steps
from jwe_steps import jws
from jwe_steps.b64 import b64url_encode
from jwe_steps.cli import main
from jwe_steps.explanation import is_public

PLAINTEXT = b'{"card":"4111 1111 1111 1111"}'
RSA = jwe_steps.generate_key("RSA")  # a DEMO key
EC = jwe_steps.generate_key("EC", crv="P-256")  # a DEMO key


def shows(out: str, secret: bytes) -> bool:
    """Does ``out`` show ``secret`` as base64url, hex or the text view's spaced hex?"""
    spaced = " ".join(f"{b:02x}" for b in secret[:8])
    return any(form in out for form in (b64url_encode(secret), secret.hex(), spaced))


def secrets_of(trace: jwe_steps.DecryptTrace) -> list[bytes]:
    return [s.value for s in trace.steps if not is_public(s.name) and isinstance(s.value, bytes)]


@pytest.mark.parametrize(
    ("key", "alg", "enc"),
    [
        (RSA, "RSA-OAEP-256", "A256GCM"),
        (EC, "ECDH-ES+A128KW", "A128CBC-HS256"),
        (EC, "ECDH-ES", "A256GCM"),
    ],
)
def test_no_secret_survives_redaction(key: Any, alg: str, enc: str) -> None:
    token = jwe_steps.encrypt(PLAINTEXT, key.public_key(), alg=alg, enc=enc).token
    report = jwe_steps.explain(token, key)
    assert report.ok
    secrets = secrets_of(report.trace)
    names = {s.name for s in report.trace.steps if not is_public(s.name)}
    assert {"cek", "plaintext"} <= names  # the test has something to redact
    assert len(secrets) >= 2
    text = report.redacted().to_json()
    views = (text, str(report.redacted()), report.redacted()._repr_html_())
    for secret in secrets:
        assert not any(b64url_encode(secret) in v or secret.hex() in v for v in views)
    for name in ("cek", "plaintext", "shared_secret", "derived_key", "mac_key", "enc_key"):
        if name in report.trace:
            assert not any(shows(v, report.trace[name]) for v in views), name
    # The unredacted report does carry them: the check above can fail.
    assert shows(report.to_json(), report.trace["cek"]) and shows(str(report), PLAINTEXT)


def test_a_redacted_step_says_its_length_and_hash_prefix() -> None:
    token = jwe_steps.encrypt(PLAINTEXT, RSA.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    report = jwe_steps.explain(token, RSA)
    data = report.redacted().to_dict()
    assert data["redacted"] is True and "redacted" not in report.to_dict()
    steps = {s["name"]: s for s in data["steps"]}
    cek = report.trace["cek"]
    assert steps["cek"]["value"] == {
        "redacted": True,
        "length": 32,
        "sha256_prefix": hashlib.sha256(cek).hexdigest()[:8],
    }
    # Content gets its length only: a hash of a short value would confirm a guess.
    assert steps["plaintext"]["value"] == {"redacted": True, "length": len(PLAINTEXT)}
    # Public parts stay as they are, so the report still shows the token's shape.
    assert steps["iv"]["value"] == b64url_encode(report.trace["iv"])
    assert (
        steps["header"]["value"] == report.trace.header
        and report.trace.header["alg"] == "RSA-OAEP-256"
    )
    # The original is untouched.
    assert report.trace["cek"] == cek and report.trace.plaintext == PLAINTEXT


def test_a_failing_report_keeps_its_diagnosis_when_redacted() -> None:
    token = jwe_steps.encrypt(PLAINTEXT, RSA.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    head, key, iv, ciphertext, tag = token.split(".")
    report = jwe_steps.explain(".".join([head, key, iv, ciphertext, tag + "=="]), RSA)
    redacted = report.redacted()
    assert not redacted.ok and redacted.failed_stage == report.failed_stage
    assert [f.code for f in redacted.diagnosis] == [f.code for f in report.diagnosis]
    assert [f.code for f in redacted.diagnosis] == ["base64url.padding"]


def test_cli_redact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    key_file = tmp_path / "demo.jwk"
    key_file.write_text(json.dumps(RSA.to_jwk(private=True)), encoding="utf-8")
    token = jwe_steps.encrypt(PLAINTEXT, RSA.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    cek = jwe_steps.decrypt(token, RSA)["cek"]
    for redact, expect_secret in (([], True), (["--redact"], False)):
        for fmt in ("json", "text"):
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(token.encode())))
            code = main(["explain", "--key", str(key_file), "--format", fmt, *redact])
            out = capsys.readouterr().out
            assert code == 0
            assert shows(out, cek) is expect_secret, (fmt, redact)
            assert shows(out, PLAINTEXT) is expect_secret


def _signed_claims_token() -> str:
    """A JWS, as pasted by mistake where a JWE belongs: its payload is the claims in clear."""
    signer = jws.generate_signing_key("ES256")  # a DEMO key
    return jws.sign(b'{"pan":"ZZZZZ9999Z"}', signer, alg="ES256", header={"typ": "JWT"}).token


@pytest.mark.parametrize("form", ["compact", "bytes", "flattened dict", "flattened text"])
def test_a_redacted_report_of_a_jws_leaves_its_payload_out(form):
    token = _signed_claims_token()
    protected, payload, signature = token.split(".")
    given: object = {
        "compact": token,
        "bytes": token.encode(),
        "flattened dict": {"protected": protected, "payload": payload, "signature": signature},
        "flattened text": json.dumps({"protected": protected, "payload": payload}),
    }[form]
    explanation = jwe_steps.explain(given, RSA)
    forms = (payload, b64url_encode(token.encode()))  # as text, or bytes as a report writes them
    assert any(form in explanation.to_json() for form in forms)  # the report is the owner's
    redacted = explanation.redacted()
    assert redacted.error is not None and redacted.error.code == explanation.error.code
    shared = redacted.to_json() + str(redacted)
    assert not any(form in shared for form in forms)
