"""Interop both ways with jwcrypto and joserfc, for every alg x enc all three implement, in
the compact, flattened JSON and general JSON serializations.

Keys are made once per module. PBES2 uses a small p2c (the peers' defaults are also small),
and ECDH-ES runs on P-256 in the matrix; the other curves have their own test.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from joserfc import jwe as rfc_jwe
from joserfc import jwk as rfc_jwk
from jwcrypto import jwe as jw_jwe
from jwcrypto import jwk as jw_jwk

import jwe_steps
from jwe_steps import algorithms as registry
from jwe_steps.b64 import b64url_encode

ENCS = ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"]
ALGS = [
    "RSA1_5", "RSA-OAEP", "RSA-OAEP-256",
    "A128KW", "A192KW", "A256KW", "A128GCMKW", "A192GCMKW", "A256GCMKW", "dir",
    "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW",
    "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW",
]  # fmt: skip
SERIALIZATIONS = ["compact", "flattened", "general"]
PEERS = ["jwcrypto", "joserfc"]
PASSWORD = b"interop password, demo only"
# joserfc warns whenever RSA1_5 is used; using it here, allow-listed, is the point.
pytestmark = pytest.mark.filterwarnings("ignore:JWE algorithm .RSA1_5. is deprecated")
MATRIX = [(alg, enc, form) for alg in ALGS for enc in ENCS for form in SERIALIZATIONS]
IDS = [f"{alg}-{enc}-{form}" for alg, enc, form in MATRIX]


@pytest.fixture(scope="module")
def keys() -> dict[str, dict[str, Any]]:
    """A private JWK per key family, made once: DEMO keys."""
    rsa = jwe_steps.generate_key("RSA").to_jwk(private=True)
    ec = jwe_steps.generate_key("EC", crv="P-256").to_jwk(private=True)
    octs = {bits: os.urandom(bits // 8) for bits in (128, 192, 256, 384, 512)}
    return {"RSA": rsa, "EC": ec, "oct": {str(b): v for b, v in octs.items()}}


def _jwk_for(keys: dict[str, Any], alg: str, enc: str) -> dict[str, Any]:
    """The private JWK (symmetric: {"kty": "oct", "k": ...}) that fits alg/enc."""
    if alg.startswith("RSA"):
        return dict(keys["RSA"])
    if alg.startswith("ECDH"):
        return dict(keys["EC"])
    if alg.startswith("PBES2"):
        secret = PASSWORD
    elif alg == "dir":
        secret = keys["oct"][str(8 * registry.content_encryption(enc).key_size)]
    else:
        secret = keys["oct"][alg[1:4]]
    return {"kty": "oct", "k": b64url_encode(secret)}


def _public(jwk: dict[str, Any]) -> dict[str, Any]:
    if jwk["kty"] == "oct":
        return jwk
    return {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}


def _our_header(alg: str) -> dict[str, Any]:
    return {"p2c": 1000} if alg.startswith("PBES2") else {}


# ------------------------------------------------------------------ peers, both directions


def _jwcrypto_encrypt(form: str, alg: str, enc: str, jwk: dict[str, Any], text: bytes) -> Any:
    key = jw_jwk.JWK(**_public(jwk))
    algs = [alg, enc, "A256KW"]
    if form == "compact":
        sent = jw_jwe.JWE(text, protected=json.dumps({"alg": alg, "enc": enc}), algs=algs)
        sent.add_recipient(key)
        return sent.serialize(compact=True)
    sent = jw_jwe.JWE(text, protected=json.dumps({"enc": enc}), algs=algs)
    sent.add_recipient(key, header=json.dumps({"alg": alg}))
    if form == "general":
        if registry.key_management(alg).generates_cek:
            # Direct modes have one recipient, and jwcrypto writes one recipient flattened;
            # move its two members into a recipients list, as RFC 7516 §7.2.2 describes.
            flat = json.loads(sent.serialize(compact=False))
            entry = {n: flat.pop(n) for n in ("header", "encrypted_key") if n in flat}
            flat["recipients"] = [entry]
            return flat
        # A second recipient, whose key we do not hold, makes jwcrypto write general JSON.
        other = jw_jwk.JWK.generate(kty="oct", size=256)
        sent.add_recipient(other, header=json.dumps({"alg": "A256KW"}))
    token = json.loads(sent.serialize(compact=False))
    assert ("recipients" in token) == (form == "general")
    return token


def _jwcrypto_decrypt(token: Any, alg: str, enc: str, jwk: dict[str, Any]) -> bytes:
    received = jw_jwe.JWE(algs=[alg, enc])
    received.deserialize(token if isinstance(token, str) else json.dumps(token), jw_jwk.JWK(**jwk))
    return bytes(received.payload)


def _joserfc_key(jwk: dict[str, Any]) -> Any:
    if jwk["kty"] == "oct":
        return rfc_jwk.OctKey.import_key(jwk)
    return rfc_jwk.import_key(jwk, jwk["kty"])


def _joserfc_encrypt(form: str, alg: str, enc: str, jwk: dict[str, Any], text: bytes) -> Any:
    key = _joserfc_key(_public(jwk))
    algs = [alg, enc]
    if form == "compact":
        return rfc_jwe.encrypt_compact({"alg": alg, "enc": enc}, text, key, algorithms=algs)
    obj: Any
    if form == "flattened":
        obj = rfc_jwe.FlattenedJSONEncryption({"enc": enc}, text)
    else:
        obj = rfc_jwe.GeneralJSONEncryption({"enc": enc}, text)
    obj.add_recipient({"alg": alg}, key)
    token = dict(rfc_jwe.encrypt_json(obj, None, algorithms=algs))
    assert ("recipients" in token) == (form == "general")
    return token


def _joserfc_decrypt(token: Any, alg: str, enc: str, jwk: dict[str, Any]) -> bytes:
    key = _joserfc_key(jwk)
    if isinstance(token, str):
        obj: Any = rfc_jwe.decrypt_compact(token, key, algorithms=[alg, enc, "DEF"])
    else:
        obj = rfc_jwe.decrypt_json(token, key, algorithms=[alg, enc, "DEF"])
    return bytes(obj.plaintext)


ENCRYPT = {"jwcrypto": _jwcrypto_encrypt, "joserfc": _joserfc_encrypt}
DECRYPT = {"jwcrypto": _jwcrypto_decrypt, "joserfc": _joserfc_decrypt}


@pytest.mark.parametrize("peer", PEERS)
@pytest.mark.parametrize(("alg", "enc", "form"), MATRIX, ids=IDS)
def test_peer_decrypts_our_token(keys, peer, alg, enc, form):
    jwk = _jwk_for(keys, alg, enc)
    text = f"to {peer}: {alg} {enc} {form} \u2713".encode()
    sent = jwe_steps.encrypt(
        text,
        _public(jwk),
        alg=alg,
        enc=enc,
        header=_our_header(alg),
        serialization=form,
        algorithms=[alg, enc],
    )
    assert DECRYPT[peer](sent.token, alg, enc, jwk) == text


@pytest.mark.parametrize("peer", PEERS)
@pytest.mark.parametrize(("alg", "enc", "form"), MATRIX, ids=IDS)
def test_we_decrypt_peer_token(keys, peer, alg, enc, form):
    jwk = _jwk_for(keys, alg, enc)
    text = f"from {peer}: {alg} {enc} {form} \u2713".encode()
    token = ENCRYPT[peer](form, alg, enc, jwk, text)
    trace = jwe_steps.decrypt(token, jwk, algorithms=[alg, enc])
    assert trace.plaintext == text
    assert trace.header["alg"] == alg and trace.header["enc"] == enc


@pytest.mark.parametrize("peer", PEERS)
@pytest.mark.parametrize("crv", ["P-384", "P-521", "X25519", "X448"])
def test_ecdh_es_on_every_curve_both_ways(peer, crv):
    private = jwe_steps.generate_key("EC" if crv.startswith("P") else "OKP", crv=crv)
    jwk = private.to_jwk(private=True)
    for alg in ("ECDH-ES", "ECDH-ES+A256KW"):
        ours = jwe_steps.encrypt(b"curve", private.public_key(), alg=alg, enc="A256GCM").token
        assert DECRYPT[peer](ours, alg, "A256GCM", jwk) == b"curve"
        theirs = ENCRYPT[peer]("compact", alg, "A256GCM", jwk, b"curve")
        assert jwe_steps.decrypt(theirs, private).plaintext == b"curve"


@pytest.mark.parametrize("peer", PEERS)
def test_zip_def_both_ways(keys, peer):
    jwk = _jwk_for(keys, "A256KW", "A256GCM")
    text = b"compressible " * 200
    ours = jwe_steps.encrypt(text, jwk, alg="A256KW", enc="A256GCM", header={"zip": "DEF"}).token
    assert DECRYPT[peer](ours, "A256KW", "A256GCM", jwk) == text
    if peer == "jwcrypto":
        sent = jw_jwe.JWE(
            text, protected=json.dumps({"alg": "A256KW", "enc": "A256GCM", "zip": "DEF"})
        )
        sent.add_recipient(jw_jwk.JWK(**jwk))
        theirs: Any = sent.serialize(compact=True)
    else:
        theirs = rfc_jwe.encrypt_compact(
            {"alg": "A256KW", "enc": "A256GCM", "zip": "DEF"},
            text,
            _joserfc_key(jwk),
            algorithms=["A256KW", "A256GCM", "DEF"],
        )
    trace = jwe_steps.decrypt(theirs, jwk)
    assert trace.plaintext == text and len(trace["compressed_plaintext"]) < len(text)


def test_a_pbes2_token_made_with_the_default_p2c_opens_in_jwcrypto_and_joserfc():
    """Issue 13: the default p2c must be one the peers' caps accept: jwcrypto 16 384 and
    joserfc 300 000 (decrypted here); panva/jose (cap 10 000) in test_interop_jose_js.py."""
    from jwe_steps.algorithms.pbes2 import DEFAULT_P2C

    jwk = {"kty": "oct", "k": b64url_encode(PASSWORD)}
    trace = jwe_steps.encrypt(b"default p2c", PASSWORD, alg="PBES2-HS256+A128KW", enc="A128GCM")
    assert trace.header["p2c"] == DEFAULT_P2C <= 10_000
    token = jw_jwe.JWE()
    token.deserialize(trace.token, key=jw_jwk.JWK(**jwk))
    assert token.payload == b"default p2c"
    opened = rfc_jwe.decrypt_compact(
        trace.token, rfc_jwk.OctKey.import_key(jwk), algorithms=["PBES2-HS256+A128KW", "A128GCM"]
    )
    assert opened.plaintext == b"default p2c"
