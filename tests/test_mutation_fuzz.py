"""Mutation fuzz: take valid tokens, break them, and check that decrypt() raises JWEError -
never another exception, and never returns a plaintext.

Mutations: a character changed, inserted or deleted; a segment dropped, duplicated or two
swapped; the protected header rewritten with hostile values (``alg: none``, an enormous
``p2c``, ``zip`` on content that is not DEFLATE, values of the wrong JSON type, duplicate
names, deep nesting); JSON members dropped, swapped or given odd types. Only authenticated
parts are mutated in the JSON serializations: an unprotected header may legitimately change
without breaking the tag, so there only names that must be refused are rewritten.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from typing import Any

import pytest
from conftest import raises_code
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwe_steps
from jwe_steps import JWEError, Limits, Stage
from jwe_steps.b64 import b64url_decode, b64url_encode

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

RSA = jwe_steps.generate_key("RSA")
EC = jwe_steps.generate_key("EC", crv="P-256")
X25519 = jwe_steps.generate_key("OKP", crv="X25519")
KW = os.urandom(16)
DIRECT = os.urandom(32)
PASSWORD = b"fuzz password (demo)"

# (label, token, key): valid tokens across the key-management families and serializations.
_SOURCES = [
    ("rsa-oaep", RSA.public_key(), RSA, "RSA-OAEP-256", "A256GCM", {}),
    ("ecdh-kw", EC.public_key(), EC, "ECDH-ES+A128KW", "A128CBC-HS256", {"apu": "QWxpY2U"}),
    ("ecdh-x25519", X25519.public_key(), X25519, "ECDH-ES", "A192GCM", {}),
    ("aes-kw-zip", KW, KW, "A128KW", "A128GCM", {"zip": "DEF"}),
    ("gcmkw", os.urandom(24), None, "A192GCMKW", "A256CBC-HS512", {}),
    ("pbes2", PASSWORD, PASSWORD, "PBES2-HS256+A128KW", "A128GCM", {"p2c": 1000}),
    ("dir", DIRECT, DIRECT, "dir", "A128CBC-HS256", {}),
]
TOKENS: list[tuple[str, Any, Any]] = []
for _label, _public, _private, _alg, _enc, _header in _SOURCES:
    _private = _private if _private is not None else _public
    for _form in ("compact", "flattened", "general"):
        _token = jwe_steps.encrypt(
            b"the fuzzed plaintext",
            _public,
            alg=_alg,
            enc=_enc,
            header=_header,
            serialization=_form,
            unprotected={"x-note": "unprotected"} if _form != "compact" else None,
            aad=b"extra" if _form == "general" else None,
        ).token
        TOKENS.append((f"{_label}-{_form}", _token, _private))
COMPACT = [t for t in TOKENS if isinstance(t[1], str)]
JSON_TOKENS = [t for t in TOKENS if isinstance(t[1], dict)]

HOSTILE_VALUES: list[tuple[str, Any]] = [
    ("alg", "none"), ("alg", "RSA1_5"), ("alg", ""), ("alg", None), ("alg", 7),
    ("alg", ["A128KW"]), ("alg", {"x": 1}), ("alg", "A128KW\u0000"), ("enc", "none"),
    ("enc", "A128GCM "), ("enc", None), ("enc", 1.5e308), ("enc", "A1024GCM"),
    ("p2c", 10**12), ("p2c", 2**64), ("p2c", -1), ("p2c", 0), ("p2c", "1000"),
    ("p2c", 1000.5), ("p2c", True), ("p2s", ""), ("p2s", "+/+/"), ("p2s", 5),
    ("zip", "DEF"), ("zip", "GZIP"), ("zip", None), ("zip", ["DEF"]), ("zip", {"DEF": 1}),
    ("crit", ["exp"]), ("crit", []), ("crit", "alg"), ("crit", [1]), ("crit", ["alg"]),
    ("epk", "not a key"), ("epk", {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}),
    ("epk", {"kty": "OKP", "crv": "X25519", "x": b64url_encode(bytes(32))}),
    ("epk", {"kty": "EC", "crv": "P-384", "x": b64url_encode(bytes(48)),
             "y": b64url_encode(bytes(48))}),
    ("iv", ""), ("iv", "AAAA"), ("iv", 12), ("tag", None), ("tag", "A" * 22),
    ("apu", 5), ("apv", "="), ("kid", 12), ("kid", "x" * 5000), ("jwk", {"kty": "oct"}),
]  # fmt: skip
RAW_HEADERS = [
    b'{"alg":"A128KW","alg":"dir","enc":"A128GCM"}',  # duplicate name
    b"[" * 5000 + b"]" * 5000,  # deep nesting
    b'{"alg":"dir","enc":"A128GCM","p2c":NaN}',
    b"\xff\xfe not utf-8",
    b"",
    b"null",
    b'{"alg":"A128KW","enc":"A128GCM","x":' + b"1" * 5000 + b"}",
]
ODD_VALUES: list[Any] = [None, 0, 1.5, True, [], {}, [1], "", "!!", "A", "a" * 10_001]
CHARS = st.sampled_from(list('AZaz09-_.=+/ \n\t{}"\u00e9\u2713\x00'))


def _rejects(token: Any, key: Any) -> JWEError:
    """decrypt() must raise JWEError: not return, not raise anything else."""
    try:
        trace = jwe_steps.decrypt(token, key)
    except JWEError as error:
        assert str(error) and isinstance(error.stage, Stage)
        return error
    pytest.fail(f"a mutant decrypted to {trace.plaintext[:20]!r}")


def _mutate_text(data: st.DataObject, text: str) -> str:
    kind = data.draw(st.sampled_from(["change", "insert", "delete"]))
    if kind == "insert" or not text:
        at = data.draw(st.integers(0, len(text)))
        return text[:at] + data.draw(CHARS) + text[at:]
    at = data.draw(st.integers(0, len(text) - 1))
    if kind == "delete":
        return text[:at] + text[at + 1 :]
    new = data.draw(CHARS.filter(lambda c: c != text[at]))
    return text[:at] + new + text[at + 1 :]


def _rewrite_header(data: st.DataObject, encoded: str) -> str:
    if data.draw(st.booleans()):
        return b64url_encode(data.draw(st.sampled_from(RAW_HEADERS)))
    header = json.loads(b64url_decode(encoded)) if encoded else {}
    original = dict(header)
    name, value = data.draw(st.sampled_from(HOSTILE_VALUES))
    if data.draw(st.integers(0, 9)) == 0:
        header.pop(data.draw(st.sampled_from(sorted(header) or ["alg"])), None)
    else:
        header[name] = value
    if header == original:
        header["alg"] = "none"
    return b64url_encode(json.dumps(header).encode())


@FUZZ
@given(source=st.sampled_from(COMPACT), data=st.data())
def test_compact_mutants_are_rejected(source, data):
    _, token, key = source
    parts = token.split(".")
    kind = data.draw(st.sampled_from(["text", "drop", "duplicate", "swap", "header"]))
    if kind == "text":
        mutant = _mutate_text(data, token)
    elif kind == "drop":
        parts.pop(data.draw(st.integers(0, 4)))
        mutant = ".".join(parts)
    elif kind == "duplicate":
        at = data.draw(st.integers(0, 4))
        parts.insert(at, parts[at])
        mutant = ".".join(parts)
    elif kind == "swap":
        i, j = data.draw(st.lists(st.integers(0, 4), min_size=2, max_size=2, unique=True))
        if parts[i] == parts[j]:  # e.g. two empty parts: swap with the header instead
            i, j = 0, (j or 1)
        parts[i], parts[j] = parts[j], parts[i]
        mutant = ".".join(parts)
    else:
        parts[0] = _rewrite_header(data, parts[0])
        mutant = ".".join(parts)
    assert mutant != token
    _rejects(mutant, key)


AUTHENTICATED = ("protected", "encrypted_key", "iv", "ciphertext", "tag", "aad")


def _holder(token: dict[str, Any], name: str) -> dict[str, Any]:
    """The object that holds ``name``: the token, or its one recipient for encrypted_key."""
    if name == "encrypted_key" and "recipients" in token:
        return token["recipients"][0]  # type: ignore[no-any-return]
    return token


@FUZZ
@given(source=st.sampled_from(JSON_TOKENS), data=st.data())
def test_json_mutants_are_rejected(source, data):
    _, token, key = source
    mutant = json.loads(json.dumps(token))
    present = [n for n in AUTHENTICATED if n in _holder(mutant, n)]
    kind = data.draw(st.sampled_from(["text", "drop", "swap", "odd", "header", "shared", "shape"]))
    if kind == "text":
        name = data.draw(st.sampled_from(present))
        holder = _holder(mutant, name)
        holder[name] = _mutate_text(data, holder[name])
    elif kind == "drop":
        name = data.draw(st.sampled_from(present))
        del _holder(mutant, name)[name]
    elif kind == "swap":
        a, b = data.draw(st.lists(st.sampled_from(present), min_size=2, max_size=2, unique=True))
        ha, hb = _holder(mutant, a), _holder(mutant, b)
        ha[a], hb[b] = hb[b], ha[a]
    elif kind == "odd":
        name = data.draw(st.sampled_from([*present, "unprotected", "recipients", "header"]))
        # An empty header object is a legitimate (unauthenticated) value, so never {} there.
        odd = [v for v in ODD_VALUES if name in AUTHENTICATED or v != {}]
        _holder(mutant, name)[name] = data.draw(st.sampled_from(odd))
    elif kind == "header":
        mutant["protected"] = _rewrite_header(data, mutant.get("protected", ""))
    elif kind == "shared":
        # Names that must be refused outside the protected header, or that conflict.
        name, value = data.draw(
            st.sampled_from(
                [
                    ("alg", "none"),
                    ("enc", "A128GCM"),
                    ("zip", "DEF"),
                    ("crit", ["exp"]),
                    ("alg", "RSA1_5"),
                    ("enc", 5),
                ]
            )
        )
        where = data.draw(st.sampled_from(["unprotected", "header"]))
        target = mutant["recipients"][0] if "recipients" in mutant and where == "header" else mutant
        target.setdefault(where, {})[name] = value
    else:
        shape = data.draw(st.integers(0, 4))
        if shape == 0:
            mutant["recipients"] = []
        elif shape == 1:
            mutant["header"] = {"alg": "dir"}
            mutant["recipients"] = mutant.get("recipients", [{}])
        elif shape == 2:
            mutant["recipients"] = [{"encrypted_key": "AAAA"}] * 101
        elif shape == 3:
            mutant = [mutant]
        else:
            mutant = json.dumps(mutant) + "x"
    if mutant == token:
        mutant = dict(token, protected=b64url_encode(b'{"alg":"none","enc":"none"}'))
    _rejects(mutant, key)
    _rejects(json.dumps(mutant) if not isinstance(mutant, str) else mutant, key)


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(
    junk=st.one_of(
        st.none(),
        st.integers(),
        st.floats(),
        st.binary(max_size=64),
        st.text(max_size=64),
        st.lists(st.text(max_size=4), max_size=3),
        st.dictionaries(
            st.sampled_from(["protected", "ciphertext", "recipients", "iv"]),
            st.one_of(st.text(max_size=8), st.integers(), st.none()),
            max_size=4,
        ),
    )
)
def test_junk_of_any_type_is_rejected(junk):
    _rejects(junk, KW)


# ------------------------------------------------------------------ targeted hostile headers


def _dir_token(header: dict[str, Any], content: bytes, key: bytes = DIRECT) -> str:
    """A correctly authenticated dir + A256GCM token with any header and any content, built
    from the primitive so the content is exactly what we say (zip or not)."""
    encoded = b64url_encode(json.dumps(header).encode())
    iv = os.urandom(12)
    sealed = AESGCM(key).encrypt(iv, content, encoded.encode("ascii"))
    return ".".join(
        (encoded, "", b64url_encode(iv), b64url_encode(sealed[:-16]), b64url_encode(sealed[-16:]))
    )


def test_zip_on_content_that_is_not_deflate_is_a_decompression_error():
    token = _dir_token({"alg": "dir", "enc": "A256GCM", "zip": "DEF"}, b"\xff not deflate \x00")
    assert _rejects(token, DIRECT).stage == Stage.DECOMPRESSION
    truncated = zlib.compressobj(wbits=-15).compress(b"a" * 1000)  # no final block
    token = _dir_token({"alg": "dir", "enc": "A256GCM", "zip": "DEF"}, truncated)
    assert _rejects(token, DIRECT).stage == Stage.DECOMPRESSION


def test_a_zip_bomb_stops_at_the_cap_and_the_cap_is_configurable():
    compressor = zlib.compressobj(wbits=-15)
    bomb = compressor.compress(bytes(64 * 1024 * 1024)) + compressor.flush()  # 64 MiB of zeros
    assert len(bomb) < 100_000
    token = _dir_token({"alg": "dir", "enc": "A256GCM", "zip": "DEF"}, bomb)
    error = _rejects(token, DIRECT)
    assert error.stage == Stage.DECOMPRESSION
    assert error.code == "limits.decompressed_size"
    cap = jwe_steps.DEFAULT_LIMITS.max_decompressed_bytes
    assert error.expected == f"at most {cap} bytes (Limits.max_decompressed_bytes)"
    small = jwe_steps.encrypt(b"z" * 5000, DIRECT, alg="dir", enc="A256GCM", header={"zip": "DEF"})
    with raises_code("limits.decompressed_size"):
        jwe_steps.decrypt(small.token, DIRECT, limits=Limits(max_decompressed_bytes=4999))
    exact = jwe_steps.decrypt(small.token, DIRECT, limits=Limits(max_decompressed_bytes=5000))
    assert exact.plaintext == b"z" * 5000


def test_p2c_over_the_cap_is_refused_before_any_work_and_names_the_cap():
    token = jwe_steps.encrypt(
        b"x", PASSWORD, alg="PBES2-HS256+A128KW", enc="A128GCM", header={"p2c": 400_000}
    ).token
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, PASSWORD)
    assert caught.value.stage == Stage.HEADER and caught.value.code == "limits.p2c"
    assert caught.value.expected == "at most 310000 (Limits.max_p2c)"
    assert caught.value.found == "400000"
    raised = jwe_steps.decrypt(token, PASSWORD, limits=Limits(max_p2c=400_000))
    assert raised.plaintext == b"x"


def test_crit_is_honoured_only_in_the_protected_header():
    header = {"alg": "dir", "enc": "A256GCM", "crit": ["exp"], "exp": 1}
    assert _rejects(_dir_token(header, b"x"), DIRECT).stage == Stage.HEADER
    flattened = jwe_steps.encrypt(
        b"x", DIRECT, alg="dir", enc="A256GCM", serialization="flattened"
    ).token
    flattened["unprotected"] = {"crit": ["exp"], "exp": 1}
    error = _rejects(flattened, DIRECT)
    assert error.code == "header.crit" and error.found == "'crit' in an unprotected header"


def test_header_names_must_be_disjoint_across_the_three_headers():
    token = jwe_steps.encrypt(
        b"x", KW, alg="A128KW", enc="A128GCM", serialization="general", unprotected={"cty": "a"}
    ).token
    token["recipients"][0]["header"] = {"cty": "b"}
    assert _rejects(token, KW).code == "header.not_disjoint"


def test_an_epk_off_the_curve_or_on_another_curve_is_a_header_error():
    token = jwe_steps.encrypt(b"x", EC.public_key(), alg="ECDH-ES", enc="A128GCM").token
    parts = token.split(".")
    header = json.loads(b64url_decode(parts[0]))
    for epk in (
        dict(header["epk"], y=header["epk"]["x"]),  # (x, x) is not on P-256
        jwe_steps.generate_key("EC", crv="P-384").public_key().to_jwk(),
        X25519.public_key().to_jwk(),
    ):
        parts[0] = b64url_encode(json.dumps(dict(header, epk=epk)).encode())
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(".".join(parts), EC)
        assert caught.value.stage == Stage.HEADER, epk


def test_a_key_bound_to_one_algorithm_does_not_open_another():
    """A JWK's alg binds it: an A128GCMKW key must not unwrap an A128KW token."""
    jwk = {
        "kty": "oct",
        "k": base64.urlsafe_b64encode(KW).rstrip(b"=").decode(),
        "alg": "A128GCMKW",
    }
    token = jwe_steps.encrypt(b"x", KW, alg="A128KW", enc="A128GCM").token
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, jwk)
    assert caught.value.stage == Stage.KEY and caught.value.code == "key.alg_binding"
    assert caught.value.expected == "a token with alg 'A128GCMKW'"
