"""ECDH-ES (RFC 7518 §4.6) with RFC 7518 Appendix C's numbers, the Concat KDF, and the checks
on the ephemeral key ``epk``."""

from __future__ import annotations

import json

import pytest
from conftest import raises_code

import jwe_steps
from jwe_steps import JWEError, Stage
from jwe_steps.b64 import b64url_decode, b64url_encode
from jwe_steps.examples.rfc7518 import APPENDIX_C
from jwe_steps.kdf import concat_kdf, other_info


def test_concat_kdf_reproduces_appendix_c():
    info = other_info("A128GCM", b"Alice", b"Bob", 128)
    assert info == (
        APPENDIX_C.algorithm_id
        + APPENDIX_C.party_u_info
        + APPENDIX_C.party_v_info
        + APPENDIX_C.supp_pub_info
    )
    assert concat_kdf(APPENDIX_C.z, info, 16) == APPENDIX_C.derived_key


def test_concat_kdf_runs_several_rounds_for_long_keys():
    info = other_info("A256CBC-HS512", b"", b"", 512)
    derived = concat_kdf(b"z" * 32, info, 64)
    assert len(derived) == 64 and derived[:32] != derived[32:]
    assert concat_kdf(b"z" * 32, info, 40) == derived[:40]


def test_appendix_c_agreement_is_reproduced_and_recorded_step_by_step():
    bob = APPENDIX_C.bob_key()
    trace = jwe_steps.encrypt(
        b"Appendix C",
        bob.public_key(),
        alg="ECDH-ES",
        enc="A128GCM",
        header={"apu": "QWxpY2U", "apv": "Qm9i"},
        ephemeral_key=APPENDIX_C.alice_ephemeral_jwk,
    )
    assert trace["shared_secret"] == APPENDIX_C.z
    assert trace["derived_key"] == APPENDIX_C.derived_key == trace["cek"]
    assert trace["encrypted_key"] == b""
    assert trace["ephemeral_public_key"] == APPENDIX_C.header["epk"]
    assert trace.step("kdf_other_info").detail["algorithm_id"] == "A128GCM"
    header = json.loads(trace["protected_header"])
    assert header["epk"] == APPENDIX_C.header["epk"] and "d" not in header["epk"]
    received = jwe_steps.decrypt(trace.token, bob)
    assert received["derived_key"] == APPENDIX_C.derived_key
    assert received["shared_secret"] == APPENDIX_C.z
    assert received.plaintext == b"Appendix C"


@pytest.mark.parametrize("alg", ["ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW"])
def test_key_agreement_with_key_wrapping_derives_a_kek_named_by_alg(alg):
    bob = APPENDIX_C.bob_key()
    trace = jwe_steps.encrypt(b"kw", bob.public_key(), alg=alg, enc="A256GCM")
    step = trace.step("kdf_other_info")
    assert step.detail["algorithm_id"] == alg
    assert step.detail["key_bits"] == int(alg[-5:-2])
    assert len(trace["derived_key"]) == int(alg[-5:-2]) // 8
    assert len(trace["encrypted_key"]) == 32 + 8  # the wrapped 256-bit CEK
    assert jwe_steps.decrypt(trace.token, bob).plaintext == b"kw"


def _with_header(token: str, **members: object) -> str:
    parts = token.split(".")
    header = json.loads(b64url_decode(parts[0]))
    header.update(members)
    for name, value in members.items():
        if value is None:
            del header[name]
    parts[0] = b64url_encode(json.dumps(header).encode())
    return ".".join(parts)


def test_the_epk_is_checked_before_any_agreement():
    bob = APPENDIX_C.bob_key()
    token = jwe_steps.encrypt(b"x", bob.public_key(), alg="ECDH-ES", enc="A128GCM").token
    epk = json.loads(b64url_decode(token.split(".")[0]))["epk"]
    p384 = jwe_steps.generate_key("EC", crv="P-384").public_key().to_jwk()
    x25519 = jwe_steps.generate_key("OKP", crv="X25519").public_key().to_jwk()
    cases = {
        "no epk": None,
        "not an object": "epk",
        "private member": dict(epk, d=APPENDIX_C.alice_ephemeral_jwk["d"]),
        "off the curve": dict(epk, y=epk["x"]),
        "another curve": p384,
        "another key type": x25519,
        "short coordinate": dict(epk, x=epk["x"][:-2]),
    }
    for label, value in cases.items():
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(_with_header(token, epk=value), bob)
        assert caught.value.stage == Stage.HEADER, label
    for name, value, code in (
        ("apu", 5, "header.member_type"),
        ("apv", "+/+", "header.param_base64url"),
    ):
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(_with_header(token, **{name: value}), bob)
        assert caught.value.stage == Stage.HEADER and caught.value.code == code, name


def test_a_low_order_x25519_point_is_refused():
    private = jwe_steps.generate_key("OKP", crv="X25519")
    token = jwe_steps.encrypt(b"x", private.public_key(), alg="ECDH-ES", enc="A128GCM").token
    zero = {"kty": "OKP", "crv": "X25519", "x": b64url_encode(bytes(32))}
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(_with_header(token, epk=zero), private)
    assert caught.value.stage == Stage.HEADER


@pytest.mark.parametrize("crv", ["P-256", "P-384", "P-521", "X25519", "X448"])
def test_every_curve_round_trips_with_pem_and_jwk_keys(crv):
    private = jwe_steps.generate_key("EC" if crv.startswith("P") else "OKP", crv=crv)
    for recipient in (private.public_key().to_pem(), private.public_key().to_jwk()):
        trace = jwe_steps.encrypt(b"c", recipient, alg="ECDH-ES+A128KW", enc="A128GCM")
        assert json.loads(trace["protected_header"])["epk"]["crv"] == crv
        for key in (private, private.to_pem(private=True), private.to_jwk(private=True)):
            assert jwe_steps.decrypt(trace.token, key).plaintext == b"c"


def test_a_fixed_ephemeral_key_must_fit_the_recipient():
    bob = APPENDIX_C.bob_key()
    other = jwe_steps.generate_key("EC", crv="P-384")
    with raises_code("key.curve"):
        jwe_steps.encrypt(b"x", bob.public_key(), alg="ECDH-ES", enc="A128GCM", ephemeral_key=other)
