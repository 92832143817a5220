"""A trace's str() and repr() never print plaintext, the CEK or another secret; trace.redacted()
is the JSON-ready summary that may be logged."""

from __future__ import annotations

import contextlib
import hashlib
import json

import pytest

import jwe_steps
from jwe_steps.trace import DecryptTrace, EncryptTrace, Step, Trace, is_secret

PLAINTEXT = b"PAN ABCDE1234F for Asha, a secret message"
CEK = bytes(range(0xA0, 0xC0))  # 32 recognisable bytes


def _forms(value: bytes) -> list[str]:
    """Ways a value could show up in text: hex (plain and spaced), a prefix, repr, text."""
    forms = [value.hex(), value.hex(" "), value[:8].hex(" "), repr(value)[2:-1][:24]]
    with contextlib.suppress(UnicodeDecodeError):
        forms.append(value.decode("utf-8")[:12])
    return forms


def _leaks(text: str, value: bytes) -> list[str]:
    return [form for form in _forms(value) if form and form in text]


@pytest.fixture(params=["RSA-OAEP-256", "A256KW", "dir", "ECDH-ES+A128KW", "PBES2-HS256+A128KW"])
def traces(request):
    alg = request.param
    from jwe_steps.widgets import demo_key_for

    key = demo_key_for(alg, "A256GCM")
    public = key.public_key() if key.kty != "oct" else key
    cek = None if alg in {"dir", "ECDH-ES"} else CEK
    encrypted = jwe_steps.encrypt(PLAINTEXT, public, alg=alg, enc="A256GCM", cek=cek,
                                  header={"kid": "demo-logging"}, algorithms=[alg, "A256GCM"])  # fmt: skip
    decrypted = jwe_steps.decrypt(encrypted.token, key, algorithms=[alg, "A256GCM"])
    return encrypted, decrypted


def test_str_and_repr_print_no_secret(traces):
    for trace in traces:
        texts = [str(trace), repr(trace), repr(trace.steps), "".join(str(s) for s in trace)]
        secrets = [s for s in trace.steps if s.secret and isinstance(s.value, bytes) and s.value]
        assert {"cek", "plaintext"} <= {s.name for s in secrets}
        for step in secrets:
            for text in texts:
                assert _leaks(text, step.value) == [], (step.name, trace.operation)
        assert "[redacted: 32 B, sha256 " in str(trace)  # the CEK is summarised, not hidden


def test_public_values_are_still_shown(traces):
    encrypted, _ = traces
    assert encrypted["iv"][:8].hex(" ") in str(encrypted)
    assert encrypted.step("tag").value[:8].hex(" ") in str(encrypted.step("tag"))


def test_redacted_is_json_ready_and_has_what_may_be_logged(traces):
    encrypted, decrypted = traces
    for trace in traces:
        summary = trace.redacted()
        text = json.dumps(summary)
        assert summary["kid"] == "demo-logging" and summary["enc"] == "A256GCM"
        assert summary["alg"] == trace.header["alg"]
        assert summary["lengths"]["iv"] == 12 and summary["lengths"]["tag"] == 16
        assert summary["lengths"]["ciphertext"] == len(PLAINTEXT)
        cek = summary["secrets"]["cek"]
        assert cek == {
            "redacted": True,
            "length": 32,
            "sha256_prefix": hashlib.sha256(trace["cek"]).hexdigest()[:8],
        }
        # Content is summarised by its length only: a hash would confirm a guessed PAN.
        assert summary["secrets"]["plaintext"] == {"redacted": True, "length": len(PLAINTEXT)}
        for step in trace.steps:
            if step.secret and isinstance(step.value, bytes) and step.value:
                assert _leaks(text, step.value) == [], step.name
    assert encrypted.redacted()["secrets"]["cek"] == decrypted.redacted()["secrets"]["cek"]


def test_an_unknown_step_is_secret_by_default():
    assert is_secret("a_new_intermediate_value") and is_secret("gcm.H")
    assert not is_secret("ciphertext") and not is_secret("protected_header")
    step = Step("a_new_intermediate_value", b"\x13\x37" * 8, "something new")
    assert "13 37" not in str(step) and "13 37" not in repr(step)


def test_a_private_integer_is_summarised():
    trace = Trace("from scratch", [Step("d", 2**2047 + 12345, "a private exponent")])
    assert str(2**2047 + 12345)[:20] not in str(trace)
    assert trace.redacted()["secrets"]["d"]["length"] == 256


def test_rich_display_still_shows_values_to_the_learner():
    trace = Trace("demo", [Step("cek", CEK, "the CEK")])
    assert CEK[:8].hex(" ") in trace._repr_html_()


def test_a_trace_title_names_only_what_the_header_says():
    # The debugging page's heading: a header that could not be read names no algorithms
    # (it read "JWE decryption: None + None").
    unread = DecryptTrace()
    assert unread.title() == "JWE decryption"
    read = DecryptTrace()
    read.header = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
    assert read.title() == "JWE decryption: RSA-OAEP-256 + A256GCM"
    several = EncryptTrace()
    several.header = {"enc": "A128GCM", "alg": ["not", "a", "name"]}  # a hostile header
    assert several.title() == "JWE encryption: A128GCM"
