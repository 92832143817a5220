"""encrypt()/decrypt(): the trace API, round trips, and the security defaults."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from conftest import raises_code
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwe_steps
from jwe_steps import JWEError, Limits, Stage
from jwe_steps.b64 import b64url_decode, b64url_encode

STAGE_VALUES = ("protected_header", "cek", "encrypted_key", "iv", "aad", "ciphertext", "tag")


@pytest.fixture(scope="module")
def public(rsa_key):
    return rsa_key.public_key()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plaintext=st.binary(max_size=2048) | st.text(max_size=200),
    alg=st.sampled_from(["RSA-OAEP", "RSA-OAEP-256"]),
    enc=st.sampled_from(["A128GCM", "A192GCM", "A256GCM"]),
    extra=st.dictionaries(
        st.sampled_from(["cty", "typ", "x-note"]), st.text(max_size=20), max_size=3
    ),
)
def test_round_trip_carries_every_stage_value(rsa_key, public, plaintext, alg, enc, extra):
    sent = jwe_steps.encrypt(plaintext, public, alg=alg, enc=enc, header=extra)
    received = jwe_steps.decrypt(sent.token, rsa_key)
    expected = plaintext.encode() if isinstance(plaintext, str) else plaintext
    assert received.plaintext == expected
    for name in STAGE_VALUES:
        assert isinstance(sent[name], bytes) and sent[name] == received[name], name
    assert received.header == sent.header
    assert list(received.header)[:2] == ["alg", "enc"]


def test_steps_follow_rfc_7516_order(rsa_key, public):
    sent = jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A256GCM")
    names = sent.names()
    assert names.index("cek") < names.index("encrypted_key") < names.index("iv")
    assert names.index("iv") < names.index("protected_header") < names.index("aad")
    assert (
        names.index("aad") < names.index("ciphertext") < names.index("tag") < names.index("token")
    )
    assert all(step.rfc.startswith("RFC 75") for step in sent.steps)
    received = jwe_steps.decrypt(sent.token, rsa_key)
    assert received.names()[-1] == "plaintext"
    assert received.step("aad").inputs == ("encoded_protected_header",)


def test_header_keeps_the_callers_member_order_and_the_kid(public):
    trace = jwe_steps.encrypt(
        b"x", public, alg="RSA-OAEP-256", enc="A256GCM", header={"typ": "JWE", "cty": "json"}
    )
    header = json.loads(trace["protected_header"])
    assert list(header) == ["alg", "enc", "typ", "cty", "kid"]
    assert header["kid"] == public.kid and public.kid.startswith("demo-")
    ordered = jwe_steps.encrypt(
        b"x",
        public,
        alg="RSA-OAEP-256",
        enc="A256GCM",
        header={"enc": "A256GCM", "alg": "RSA-OAEP-256"},
    )
    assert list(json.loads(ordered["protected_header"]))[:2] == ["enc", "alg"]


def test_aad_is_the_header_text_as_received_not_re_serialized(rsa_key, public):
    """A header with spaces is authenticated as sent: re-serializing would break the tag."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    sent = jwe_steps.encrypt(b"payload", public, alg="RSA-OAEP-256", enc="A256GCM")
    spaced = b'{ "alg": "RSA-OAEP-256", "enc": "A256GCM" }'
    header_part = b64url_encode(spaced)
    iv = bytes(12)
    sealed = AESGCM(sent["cek"]).encrypt(iv, b"payload", header_part.encode())
    parts = sent.token.split(".")
    token = ".".join(
        [
            header_part,
            parts[1],
            b64url_encode(iv),
            b64url_encode(sealed[:-16]),
            b64url_encode(sealed[-16:]),
        ]
    )
    received = jwe_steps.decrypt(token, rsa_key)
    assert received.plaintext == b"payload"
    assert received["aad"] == header_part.encode()


def test_traces_render_as_text_and_html(rsa_key, public):
    sent = jwe_steps.encrypt(b"<b>x</b>", public, alg="RSA-OAEP-256", enc="A256GCM")
    text = str(sent)
    assert "RFC 7516 §5.1 step 14" in text and "aad" in text
    html = sent._repr_html_()
    assert html.startswith("<table") and "encrypted_key" in html
    assert "<b>x</b>" not in html  # values are escaped
    assert "encrypted_key" in sent.step("encrypted_key")._repr_html_()
    assert repr(sent) == f"<CompactEncryptTrace encrypt: {len(sent)} steps>"


def test_trace_lookup_names_what_exists(public):
    sent = jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A256GCM")
    with pytest.raises(KeyError, match="it has: plaintext"):
        sent["no_such_step"]
    assert "cek" in sent and "nope" not in sent


# ----------------------------------------------------------------- security defaults


def test_rsa1_5_is_not_in_the_default_allow_list():
    assert "RSA1_5" not in jwe_steps.algorithms.default_algorithms()
    assert {"RSA-OAEP", "RSA-OAEP-256", "A256GCM"} <= jwe_steps.algorithms.default_algorithms()


def test_allow_list_refuses_what_it_does_not_name(rsa_key, public):
    token = jwe_steps.encrypt(b"x", public, alg="RSA-OAEP", enc="A256GCM").token
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, rsa_key, algorithms=["RSA-OAEP-256", "A256GCM"])
    assert caught.value.stage == Stage.ALGORITHM and caught.value.code == "algorithm.not_allowed"
    assert caught.value.found == "'RSA-OAEP'"
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, rsa_key, algorithms=["RSA-OAEP", "A128GCM"])
    assert caught.value.stage == Stage.ALGORITHM and caught.value.code == "algorithm.not_allowed"
    assert caught.value.found == "'A256GCM'"
    assert jwe_steps.decrypt(token, rsa_key, algorithms=["RSA-OAEP", "A256GCM"]).plaintext == b"x"
    # The list is exhaustive for both kinds: naming only an alg (or only an enc) is refused,
    # never read as "this alg with any enc".
    for partial in (["RSA-OAEP"], ["A256GCM"], []):
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(token, rsa_key, algorithms=partial)
        assert caught.value.code == "input.allow_list"
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, rsa_key, algorithms=["none"])
    assert caught.value.code == "input.allow_list"
    assert caught.value.hint is None
    # joserfc lists zip algorithms in its registry; here "DEF" is no alg or enc, and the
    # refusal says so (zip content is always accepted on decrypt, bounded by the limits).
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, rsa_key, algorithms=["RSA-OAEP", "A256GCM", "DEF"])
    assert caught.value.code == "input.allow_list" and caught.value.hint


def test_rsa_keys_under_2048_bits_are_refused():
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(JWEError) as caught:
        jwe_steps.load_key(small)
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.size"
    assert caught.value.found == "1024 bits"
    with raises_code("key.size"):
        jwe_steps.encrypt(b"x", small.public_key(), alg="RSA-OAEP-256", enc="A256GCM")


def test_a_jwks_alg_and_use_must_agree_with_the_token(rsa_key, public):
    token = jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A256GCM").token
    bound = dict(rsa_key.to_jwk(private=True), alg="RSA-OAEP")
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, bound)
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.alg_binding"
    assert caught.value.expected == "a token with alg 'RSA-OAEP'"
    signing = dict(rsa_key.to_jwk(private=True), use="sig")
    with raises_code("key.use"):
        jwe_steps.decrypt(token, signing)
    verify_only = dict(rsa_key.to_jwk(private=True), key_ops=["verify"])
    with raises_code("key.key_ops"):
        jwe_steps.decrypt(token, verify_only)
    agreeing = dict(rsa_key.to_jwk(private=True), alg="RSA-OAEP-256", use="enc")
    assert jwe_steps.decrypt(token, agreeing).plaintext == b"x"
    with raises_code("key.alg_binding"):
        jwe_steps.encrypt(
            b"x", dict(public.to_jwk(), alg="RSA-OAEP"), alg="RSA-OAEP-256", enc="A256GCM"
        )


def test_a_cek_that_fails_to_decrypt_fails_like_a_bad_tag(rsa_key, public):
    """RFC 7516 §11.5: wrong key and tampered tag must be indistinguishable to the caller."""
    other = jwe_steps.generate_key("RSA")
    token = jwe_steps.encrypt(
        b"secret", other.public_key(), alg="RSA-OAEP-256", enc="A256GCM"
    ).token
    with pytest.raises(JWEError) as wrong_key:
        jwe_steps.decrypt(token, rsa_key)
    good = jwe_steps.encrypt(b"secret", public, alg="RSA-OAEP-256", enc="A256GCM").token
    parts = good.split(".")
    tag = bytearray(b64url_decode(parts[4]))
    tag[0] ^= 1
    parts[4] = b64url_encode(bytes(tag))
    with pytest.raises(JWEError) as bad_tag:
        jwe_steps.decrypt(".".join(parts), rsa_key)
    assert type(wrong_key.value) is type(bad_tag.value)
    assert str(wrong_key.value) == str(bad_tag.value)
    assert wrong_key.value.stage == Stage.CONTENT_DECRYPTION


def test_the_countermeasure_uses_a_random_cek_each_time(rsa_key, monkeypatch):
    """The substitute CEK must be fresh randomness of the right size, not a constant; and it is
    drawn whether the key fits or not, so both paths do the same work (issue 13, timing)."""
    import jwe_steps.decryption as decryption

    other = jwe_steps.generate_key("RSA")
    token = jwe_steps.encrypt(b"s", other.public_key(), alg="RSA-OAEP-256", enc="A128GCM").token
    drawn = []
    real_urandom = decryption.os.urandom
    monkeypatch.setattr(decryption.os, "urandom", lambda n: drawn.append(n) or real_urandom(n))
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, rsa_key)
    assert caught.value.code == "decryption.failed"
    assert drawn == [16]
    assert jwe_steps.decrypt(token, other).plaintext == b"s"
    assert drawn == [16, 16]


def test_tags_are_compared_in_constant_time():
    """No == or != on a tag or MAC anywhere in the package; comparisons go through
    hmac.compare_digest (AES-GCM's tag check happens inside OpenSSL, in constant time)."""
    offenders = []
    for path in Path(jwe_steps.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(
                isinstance(op, ast.Eq | ast.NotEq) for op in node.ops
            ):
                # len(tag) and the like compare sizes, not contents: skip calls.
                names = {
                    n.id if isinstance(n, ast.Name) else n.attr
                    for side in [node.left, *node.comparators]
                    if not isinstance(side, ast.Call)
                    for n in ast.walk(side)
                    if isinstance(n, ast.Name | ast.Attribute)
                }
                if any(
                    name.lower() in {"tag", "mac", "expected_tag", "computed_tag"} for name in names
                ):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_token_size_cap_is_checked_first_and_configurable(rsa_key, public):
    token = jwe_steps.encrypt(b"a" * 5000, public, alg="RSA-OAEP-256", enc="A256GCM").token
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, rsa_key, limits=Limits(max_token_bytes=1000))
    assert caught.value.stage == Stage.LIMITS and caught.value.code == "limits.token_size"
    assert caught.value.expected == "at most 1000 bytes"
    with raises_code("limits.token_size"):
        jwe_steps.decrypt("x" * (jwe_steps.DEFAULT_LIMITS.max_token_bytes + 1), rsa_key)
    assert jwe_steps.decrypt(token, rsa_key, limits=Limits(max_token_bytes=len(token))).plaintext


def test_errors_never_contain_plaintext_or_key_material(rsa_key, public):
    secret = b"TOP-SECRET-PAYLOAD"
    sent = jwe_steps.encrypt(secret, public, alg="RSA-OAEP-256", enc="A256GCM")
    parts = sent.token.split(".")
    broken = [
        ".".join([parts[0], parts[1], parts[2], parts[3][:-2] + "AA", parts[4]]),
        ".".join([parts[0], parts[1][:-4] + "AAAA", *parts[2:]]),
        ".".join([*parts[:4], ""]),
    ]
    private = json.dumps(rsa_key.to_jwk(private=True))
    cek_hex = sent["cek"].hex()
    for token in broken:
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(token, rsa_key)
        message = str(caught.value)
        assert "TOP-SECRET" not in message and cek_hex not in message
        for member in ("d", "p", "q", "dp", "dq", "qi"):
            assert json.loads(private)[member][:16] not in message


def test_injected_values_are_checked(public):
    with pytest.raises(JWEError) as caught:
        jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A256GCM", cek=bytes(16))
    assert caught.value.stage == Stage.CEK and caught.value.code == "cek.length"
    assert caught.value.expected == "32 bytes (256 bits)" and caught.value.found == "16 bytes"
    with pytest.raises(JWEError) as caught:
        jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A256GCM", iv=bytes(16))
    assert caught.value.stage == Stage.IV and caught.value.code == "iv.length"
    assert caught.value.expected == "12 bytes (96 bits)" and caught.value.found == "16 bytes"
    with raises_code("input.header_conflict"):
        jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A256GCM", header={"alg": "dir"})
    with raises_code("input.plaintext"):
        jwe_steps.encrypt(42, public, alg="RSA-OAEP-256", enc="A256GCM")
    with pytest.raises(JWEError) as caught:
        jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-999", enc="A256GCM")
    assert caught.value.stage == Stage.ALGORITHM


def test_error_messages_state_only_the_facts_they_have():
    from jwe_steps.errors import InvalidKeyError

    assert str(InvalidKeyError("bad", expected="a", found="b", hint="Fix it.")) == (
        "[key] bad: expected a, found b. Fix it."
    )
    assert str(InvalidKeyError("bad", found="b")) == "[key] bad: found b."
    assert str(InvalidKeyError("bad")) == "[key] bad."


def test_encrypt_is_typed_by_its_serialization():
    """Issue 12: a compact encrypt returns a trace whose token type is str, JSON a dict."""
    import typing

    from jwe_steps.pipeline import CompactEncryptTrace, JSONEncryptTrace

    overloads = typing.get_overloads(jwe_steps.encrypt)
    returns = [typing.get_type_hints(f)["return"] for f in overloads]
    assert returns == [CompactEncryptTrace, JSONEncryptTrace]
    assert typing.get_type_hints(CompactEncryptTrace)["token"] is str
    compact = jwe_steps.encrypt(b"x", bytes(16), alg="A128KW", enc="A128GCM")
    general = jwe_steps.encrypt(
        b"x", bytes(16), alg="A128KW", enc="A128GCM", serialization="general"
    )
    assert isinstance(compact, CompactEncryptTrace) and isinstance(compact.token, str)
    assert isinstance(general, JSONEncryptTrace) and isinstance(general.token, dict)
    assert isinstance(compact, jwe_steps.EncryptTrace)


def test_recipients_may_be_recipient_objects():
    a, b = bytes(16), bytes(range(16))
    trace = jwe_steps.encrypt(
        b"two", enc="A128GCM", serialization="general",
        recipients=[jwe_steps.Recipient(a, "A128KW"), jwe_steps.Recipient(b, "A128KW", {"kid": "b"})],
    )  # fmt: skip
    assert trace.token["recipients"][1]["header"] == {"alg": "A128KW", "kid": "b"}
    assert jwe_steps.decrypt(trace.token, b).plaintext == b"two"
    with pytest.raises(JWEError) as caught:
        jwe_steps.encrypt(b"x", enc="A128GCM", serialization="general",
                          recipients=[{"key": a, "alg": "A128KW", "extra": 1}])  # fmt: skip
    assert caught.value.code == "input.recipients"
