"""RFC 7516 Appendix A.2-A.5 with the RFC's own numbers: each token decrypts, the recovered
CEK is the RFC's, the AES-CBC-HMAC intermediate values match, and each token is rebuilt byte
for byte from the RFC's CEK and IV (RSA1_5's encrypted key is randomized, so it is compared
by decrypting it instead).
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest

import jwe_steps
from jwe_steps.b64 import b64url_encode

_spec = importlib.util.spec_from_file_location(
    "rfc7516_appendix", Path(__file__).parent / "vectors" / "rfc7516_appendix.py"
)
assert _spec is not None and _spec.loader is not None
A = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(A)

WITH_RSA1_5 = ["RSA1_5", "A128KW", "A128CBC-HS256"]


def test_a2_rsa1_5_with_aes_cbc_hmac_decrypts_with_the_rfc_values():
    trace = jwe_steps.decrypt(A.A2_COMPACT, A.RSA_KEY, algorithms=WITH_RSA1_5)
    assert trace.plaintext == A.PLAINTEXT
    assert trace["cek"] == A.CEK
    assert trace["iv"] == A.IV
    # A.2.7: MAC_KEY and ENC_KEY are the halves of the CEK; AL is 408 bits.
    assert trace["mac_key"] == A.CEK[:16] and trace["enc_key"] == A.CEK[16:]
    assert trace["al"] == A.AL_A2 and len(trace["aad"]) == 51
    assert trace["hmac_input"] == trace["aad"] + A.IV + trace["ciphertext"] + A.AL_A2
    assert trace["hmac_output"][:16] == trace["tag"]


def test_a2_is_rebuilt_except_for_the_randomized_rsa_padding():
    trace = jwe_steps.encrypt(
        A.PLAINTEXT,
        A.RSA_KEY,
        alg="RSA1_5",
        enc="A128CBC-HS256",
        cek=A.CEK,
        iv=A.IV,
        algorithms=WITH_RSA1_5,
    )
    ours, theirs = trace.token.split("."), A.A2_COMPACT.split(".")
    assert [ours[0], *ours[2:]] == [theirs[0], *theirs[2:]]
    assert ours[1] != theirs[1]  # fresh PKCS #1 v1.5 padding
    assert jwe_steps.decrypt(trace.token, A.RSA_KEY, algorithms=WITH_RSA1_5)["cek"] == A.CEK


def test_a2_needs_rsa1_5_allow_listed_both_ways():
    with pytest.raises(jwe_steps.JWEError, match="RSA1_5"):
        jwe_steps.decrypt(A.A2_COMPACT, A.RSA_KEY)
    with pytest.raises(jwe_steps.JWEError, match="RSA1_5"):
        jwe_steps.encrypt(b"x", A.RSA_KEY, alg="RSA1_5", enc="A128CBC-HS256")


def test_a3_aes_key_wrap_is_reproduced_byte_for_byte():
    trace = jwe_steps.decrypt(A.A3_COMPACT, A.KW_KEY)
    assert trace.plaintext == A.PLAINTEXT and trace["cek"] == A.CEK
    rebuilt = jwe_steps.encrypt(
        A.PLAINTEXT, A.KW_KEY, alg="A128KW", enc="A128CBC-HS256", cek=A.CEK, iv=A.IV
    )
    assert rebuilt.token == A.A3_COMPACT
    # The raw key bytes work as well as the JWK.
    raw = jwe_steps.load_key(A.KW_KEY).material
    assert jwe_steps.decrypt(A.A3_COMPACT, raw).plaintext == A.PLAINTEXT


def test_a4_general_json_opens_with_either_recipient_key():
    for key, alg in ((A.RSA_KEY, "RSA1_5"), (A.KW_KEY, "A128KW")):
        trace = jwe_steps.decrypt(A.A4_GENERAL, key, algorithms=WITH_RSA1_5)
        assert trace.plaintext == A.PLAINTEXT and trace["cek"] == A.CEK
        assert trace.header["alg"] == alg
        assert trace.header["jku"] == A.A4_UNPROTECTED["jku"]
    # As JSON text too.
    text = json.dumps(A.A4_GENERAL)
    assert jwe_steps.decrypt(text, A.KW_KEY).plaintext == A.PLAINTEXT


def test_a4_is_rebuilt_except_for_the_randomized_rsa_padding():
    trace = jwe_steps.encrypt(
        A.PLAINTEXT,
        enc="A128CBC-HS256",
        recipients=[
            {"key": A.RSA_KEY, "alg": "RSA1_5", "header": A.A4_RECIPIENT_HEADERS[0]},
            {"key": A.KW_KEY, "alg": "A128KW", "header": A.A4_RECIPIENT_HEADERS[1]},
        ],
        header={"enc": "A128CBC-HS256"},
        unprotected=A.A4_UNPROTECTED,
        cek=A.CEK,
        iv=A.IV,
        serialization="general",
        algorithms=WITH_RSA1_5,
    )
    ours, theirs = copy.deepcopy(trace.token), copy.deepcopy(A.A4_GENERAL)
    ours["recipients"][0]["encrypted_key"] = theirs["recipients"][0]["encrypted_key"] = "(random)"
    assert ours == theirs
    assert jwe_steps.decrypt(trace.token, A.RSA_KEY, algorithms=WITH_RSA1_5)["cek"] == A.CEK


def test_a5_flattened_json_is_reproduced_byte_for_byte():
    trace = jwe_steps.decrypt(A.A5_FLATTENED, A.KW_KEY)
    assert trace.plaintext == A.PLAINTEXT
    assert trace["aad"] == A.A5_FLATTENED["protected"].encode("ascii")
    rebuilt = jwe_steps.encrypt(
        A.PLAINTEXT,
        A.KW_KEY,
        alg="A128KW",
        enc="A128CBC-HS256",
        header={"enc": "A128CBC-HS256"},
        unprotected=A.A4_UNPROTECTED,
        recipient_header=A.A4_RECIPIENT_HEADERS[1],
        cek=A.CEK,
        iv=A.IV,
        serialization="flattened",
    )
    assert rebuilt.token == A.A5_FLATTENED
    assert list(rebuilt.token) == list(A.A5_FLATTENED)  # member order as in the RFC
    assert b64url_encode(rebuilt["tag"]) == A.A5_FLATTENED["tag"]
