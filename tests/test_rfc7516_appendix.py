"""RFC 7516 Appendix A.2-A.5 with the RFC's own numbers: each token decrypts, the recovered
CEK is the RFC's, the AES-CBC-HMAC intermediate values match, and each token is rebuilt byte
for byte from the RFC's CEK and IV (RSA1_5's encrypted key is randomized, so it is compared
by decrypting it instead).
"""

from __future__ import annotations

import copy
import json

from conftest import raises_code

import jwe_steps
from jwe_steps.b64 import b64url_encode
from jwe_steps.examples.rfc7516_json import (
    A128KW_DEMO_KEY_JWK,
    CEK,
    IV,
    PLAINTEXT,
    RFC7516_A2,
    RFC7516_A2_AL,
    RFC7516_A3,
    RFC7516_A4,
    RFC7516_A5,
    RSA1_5_DEMO_KEY_JWK,
)

# Short names for the published values (all from jwe_steps.examples, the one transcription).
RSA_KEY, KW_KEY = RSA1_5_DEMO_KEY_JWK, A128KW_DEMO_KEY_JWK
A2_COMPACT, A3_COMPACT = RFC7516_A2.token, RFC7516_A3.token
A4_GENERAL, A5_FLATTENED = RFC7516_A4.token, RFC7516_A5.token
A4_UNPROTECTED, A4_RECIPIENT_HEADERS = RFC7516_A4.unprotected, RFC7516_A4.recipient_headers

WITH_RSA1_5 = ["RSA1_5", "A128KW", "A128CBC-HS256"]


def test_a2_rsa1_5_with_aes_cbc_hmac_decrypts_with_the_rfc_values():
    trace = jwe_steps.decrypt(A2_COMPACT, RSA_KEY, algorithms=WITH_RSA1_5)
    assert trace.plaintext == PLAINTEXT
    assert trace["cek"] == CEK
    assert trace["iv"] == IV
    # B.1: MAC_KEY and ENC_KEY are the halves of the CEK; B.3: AL is 408 bits (a 51-octet AAD).
    assert trace["mac_key"] == CEK[:16] and trace["enc_key"] == CEK[16:]
    assert trace["al"] == RFC7516_A2_AL and len(trace["aad"]) == 51
    assert trace["hmac_input"] == trace["aad"] + IV + trace["ciphertext"] + RFC7516_A2_AL
    assert trace["hmac_output"][:16] == trace["tag"]
    # The parts A.2 lists one by one are the parts of its token.
    for part in ("protected_header", "encrypted_key", "aad", "ciphertext", "tag"):
        assert trace[part] == getattr(RFC7516_A2, part), part


def test_a2_is_rebuilt_except_for_the_randomized_rsa_padding():
    trace = jwe_steps.encrypt(
        PLAINTEXT,
        RSA_KEY,
        alg="RSA1_5",
        enc="A128CBC-HS256",
        cek=CEK,
        iv=IV,
        algorithms=WITH_RSA1_5,
    )
    ours, theirs = trace.token.split("."), A2_COMPACT.split(".")
    assert [ours[0], *ours[2:]] == [theirs[0], *theirs[2:]]
    assert ours[1] != theirs[1]  # fresh PKCS #1 v1.5 padding
    assert jwe_steps.decrypt(trace.token, RSA_KEY, algorithms=WITH_RSA1_5)["cek"] == CEK


def test_a2_needs_rsa1_5_allow_listed_both_ways():
    with raises_code("algorithm.not_allowed"):
        jwe_steps.decrypt(A2_COMPACT, RSA_KEY)
    with raises_code("algorithm.not_allowed"):
        jwe_steps.encrypt(b"x", RSA_KEY, alg="RSA1_5", enc="A128CBC-HS256")


def test_a3_aes_key_wrap_is_reproduced_byte_for_byte():
    trace = jwe_steps.decrypt(A3_COMPACT, KW_KEY)
    assert trace.plaintext == PLAINTEXT and trace["cek"] == CEK
    rebuilt = jwe_steps.encrypt(
        PLAINTEXT, KW_KEY, alg="A128KW", enc="A128CBC-HS256", cek=CEK, iv=IV
    )
    assert rebuilt.token == A3_COMPACT
    # The raw key bytes work as well as the JWK.
    raw = jwe_steps.load_key(KW_KEY).material
    assert jwe_steps.decrypt(A3_COMPACT, raw).plaintext == PLAINTEXT


def test_a4_general_json_opens_with_either_recipient_key():
    for key, alg in ((RSA_KEY, "RSA1_5"), (KW_KEY, "A128KW")):
        trace = jwe_steps.decrypt(A4_GENERAL, key, algorithms=WITH_RSA1_5)
        assert trace.plaintext == PLAINTEXT and trace["cek"] == CEK
        assert trace.header["alg"] == alg
        assert trace.header["jku"] == A4_UNPROTECTED["jku"]
    # As JSON text too.
    text = json.dumps(A4_GENERAL)
    assert jwe_steps.decrypt(text, KW_KEY).plaintext == PLAINTEXT


def test_a4_is_rebuilt_except_for_the_randomized_rsa_padding():
    trace = jwe_steps.encrypt(
        PLAINTEXT,
        enc="A128CBC-HS256",
        recipients=[
            {"key": RSA_KEY, "alg": "RSA1_5", "header": A4_RECIPIENT_HEADERS[0]},
            {"key": KW_KEY, "alg": "A128KW", "header": A4_RECIPIENT_HEADERS[1]},
        ],
        header={"enc": "A128CBC-HS256"},
        unprotected=A4_UNPROTECTED,
        cek=CEK,
        iv=IV,
        serialization="general",
        algorithms=WITH_RSA1_5,
    )
    ours, theirs = copy.deepcopy(trace.token), copy.deepcopy(A4_GENERAL)
    ours["recipients"][0]["encrypted_key"] = theirs["recipients"][0]["encrypted_key"] = "(random)"
    assert ours == theirs
    assert jwe_steps.decrypt(trace.token, RSA_KEY, algorithms=WITH_RSA1_5)["cek"] == CEK


def test_a5_flattened_json_is_reproduced_byte_for_byte():
    trace = jwe_steps.decrypt(A5_FLATTENED, KW_KEY)
    assert trace.plaintext == PLAINTEXT
    assert trace["aad"] == A5_FLATTENED["protected"].encode("ascii")
    rebuilt = jwe_steps.encrypt(
        PLAINTEXT,
        KW_KEY,
        alg="A128KW",
        enc="A128CBC-HS256",
        header={"enc": "A128CBC-HS256"},
        unprotected=A4_UNPROTECTED,
        recipient_header=A4_RECIPIENT_HEADERS[1],
        cek=CEK,
        iv=IV,
        serialization="flattened",
    )
    assert rebuilt.token == A5_FLATTENED
    assert list(rebuilt.token) == list(A5_FLATTENED)  # member order as in the RFC
    assert b64url_encode(rebuilt["tag"]) == A5_FLATTENED["tag"]
