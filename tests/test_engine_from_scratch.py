"""engine="from_scratch": the same tokens as the default engine, with the primitives opened up."""

from __future__ import annotations

import os

import pytest

import jwe_steps
from jwe_steps import algorithms as registry
from jwe_steps.errors import DecryptionFailedError, InputError, JWEError
from jwe_steps.examples import RFC7516_A1 as A1
from jwe_steps.examples.rfc7517 import P2S

ENCS = ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"]
INNER_PREFIX = {"GCM": "gcm.", "CBC": "cbc_hmac."}


@pytest.fixture(scope="module")
def keys(keys_by_kind):
    return keys_by_kind


def key_for(alg: str, enc: str, keys) -> tuple[object, object, dict, dict]:
    """(encryption key, decryption key, extra header, extra encrypt() kwargs)."""
    content = registry.content_encryption(enc)
    if alg.startswith("RSA-OAEP"):
        return keys["RSA"].public_key(), keys["RSA"], {}, {}
    if alg.startswith("ECDH-ES"):
        ephemeral = jwe_steps.generate_key("EC", crv="P-256")
        extra = {"apu": "QWxpY2U", "apv": "Qm9i"}
        return keys["EC"].public_key(), keys["EC"], extra, {"ephemeral_key": ephemeral}
    if alg.startswith("PBES2"):
        header = {"p2s": P2S, "p2c": 1000}  # RFC 7517 C.2's salt, a lower count
        return keys["password"], keys["password"], header, {}
    if alg == "dir":
        return keys[8 * content.key_size], keys[8 * content.key_size], {}, {}
    bits = int(alg[1:4])  # A128KW, A192GCMKW, ...
    header = {"iv": "AAECAwQFBgcICQoL"} if alg.endswith("GCMKW") else {}
    return keys[bits], keys[bits], header, {}


def inner(trace, prefix: str) -> list[str]:
    return [s.name for s in trace.steps if s.name.startswith(prefix)]


# Every registered alg but RSA1_5 (refused by default, and its padding is not a teaching target).
COVERED_ALGS = sorted(set(registry.KEY_MANAGEMENT) - {"RSA1_5"})


def test_every_algorithm_is_covered() -> None:
    assert len(COVERED_ALGS) >= 18
    assert set(ENCS) == set(registry.CONTENT_ENCRYPTION)


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", COVERED_ALGS)
def test_same_token_both_engines(alg: str, enc: str, keys) -> None:
    encrypt_key, decrypt_key, header, extra = key_for(alg, enc, keys)
    content = registry.content_encryption(enc)
    fixed = {"iv": os.urandom(content.iv_size), "header": header, **extra}
    if not registry.key_management(alg).generates_cek:
        fixed["cek"] = os.urandom(content.key_size)
    plaintext = os.urandom(100)

    ours = jwe_steps.encrypt(
        plaintext, encrypt_key, alg=alg, enc=enc, engine="from_scratch", **fixed
    )
    theirs = jwe_steps.encrypt(plaintext, encrypt_key, alg=alg, enc=enc, **fixed)
    parts, reference = ours.token.split("."), theirs.token.split(".")
    if alg.startswith("RSA-OAEP"):
        # OAEP draws a random seed, so only the encrypted key differs: both hold the same CEK.
        assert parts[:1] + parts[2:] == reference[:1] + reference[2:]
    else:
        assert ours.token == theirs.token
    assert ours["cek"] == theirs["cek"]

    # Each engine opens the other's token, and the from-scratch one shows its inner steps.
    for token in (ours.token, theirs.token):
        assert jwe_steps.decrypt(token, decrypt_key, engine="from_scratch").plaintext == plaintext
        assert jwe_steps.decrypt(token, decrypt_key).plaintext == plaintext
    opened = jwe_steps.decrypt(theirs.token, decrypt_key, engine="from_scratch")
    for trace in (ours, opened):
        assert inner(trace, INNER_PREFIX[enc[-3:] if enc.endswith("GCM") else "CBC"])
        if alg.startswith("RSA-OAEP"):
            assert "oaep.seed" in trace and "oaep.EM" in trace
        if alg.endswith("KW") and not alg.endswith("GCMKW"):
            assert "aes_kw.A[0]" in trace or "aes_kw.A[12]" in trace
        if alg.endswith("GCMKW"):
            assert "gcmkw.H" in trace
        if alg.startswith("ECDH-ES"):
            assert trace["concat_kdf.PartyUInfo"] == b"\x00\x00\x00\x05Alice"
        if alg.startswith("PBES2"):
            assert trace["pbes2.salt"].startswith(alg.encode() + b"\x00")
    assert not inner(theirs, "gcm.") and not inner(theirs, "cbc_hmac.")


def test_inner_steps_are_the_values_of_the_token(keys) -> None:
    sent = jwe_steps.encrypt(
        b"x" * 40,
        keys["RSA"].public_key(),
        alg="RSA-OAEP-256",
        enc="A256GCM",
        engine="from_scratch",
    )
    assert sent["gcm.tag"] == sent["tag"]
    assert sent["oaep.ciphertext"] == sent["encrypted_key"]
    assert sent["oaep.DB"].endswith(b"\x01" + sent["cek"])
    assert sent["gcm.J0"] == sent["iv"] + b"\x00\x00\x00\x01"
    joined = b"".join(sent[f"gcm.ciphertext_block[{i}]"] for i in (1, 2, 3))
    assert joined == sent["ciphertext"]
    step = sent.step("gcm.ghash[2]")
    assert step.inputs == ("gcm.ghash[1]", "gcm.H") and step.detail["engine"] == "from_scratch"


def test_rfc7516_a1_token_reproduced_byte_for_byte() -> None:
    # RFC 7516 Appendix A.1: with the RFC's CEK, IV and the OAEP seed its authors drew (found by
    # decrypting their encrypted key), encrypt() reproduces the published token exactly.
    token = A1.token
    opened = jwe_steps.decrypt(
        token, A1.demo_key_jwk, algorithms=["RSA-OAEP", "A256GCM"], engine="from_scratch"
    )
    assert opened.plaintext == A1.plaintext
    assert opened["cek"] == A1.cek
    public = {k: A1.demo_key_jwk[k] for k in ("kty", "n", "e")}
    again = jwe_steps.encrypt(
        opened.plaintext,
        public,
        alg="RSA-OAEP",
        enc="A256GCM",
        cek=A1.cek,
        iv=A1.iv,
        engine="from_scratch",
        oaep_seed=opened["oaep.seed"],
    )
    assert again.token == token
    assert again["oaep.seed"] == opened["oaep.seed"]


def test_failures_under_from_scratch(keys) -> None:
    token = jwe_steps.encrypt(
        b"secret", keys["RSA"].public_key(), alg="RSA-OAEP-256", enc="A128GCM"
    ).token
    header, key_part, iv, ciphertext, tag = token.split(".")
    bad_tag = tag[:-2] + ("AA" if tag[-2:] != "AA" else "AQ")
    with pytest.raises(DecryptionFailedError):
        jwe_steps.decrypt(
            ".".join([header, key_part, iv, ciphertext, bad_tag]),
            keys["RSA"],
            engine="from_scratch",
        )
    # A wrong key fails at the tag (RFC 7516 §11.5), exactly as with the default engine.
    other = jwe_steps.generate_key("RSA")
    with pytest.raises(DecryptionFailedError):
        jwe_steps.decrypt(token, other, engine="from_scratch")


def test_engine_and_seed_arguments_are_checked(keys) -> None:
    public = keys["RSA"].public_key()
    with pytest.raises(InputError):
        jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A128GCM", engine="openssl")
    with pytest.raises(InputError):
        jwe_steps.decrypt("a.b.c.d.e", keys["RSA"], engine="fast")
    with pytest.raises(InputError):  # the default engine cannot take a seed
        jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A128GCM", oaep_seed=bytes(32))
    with pytest.raises(InputError):  # nor is there a seed outside RSA-OAEP
        jwe_steps.encrypt(
            b"x", keys[128], alg="A128KW", enc="A128GCM", engine="from_scratch", oaep_seed=bytes(32)
        )
    with pytest.raises(JWEError):  # RSA-OAEP-256 needs a 32-byte seed
        jwe_steps.encrypt(
            b"x",
            public,
            alg="RSA-OAEP-256",
            enc="A128GCM",
            engine="from_scratch",
            oaep_seed=bytes(20),
        )
    seed = os.urandom(32)
    fixed = {"cek": bytes(16), "iv": bytes(12), "engine": "from_scratch", "oaep_seed": seed}
    first = jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A128GCM", **fixed)
    second = jwe_steps.encrypt(b"x", public, alg="RSA-OAEP-256", enc="A128GCM", **fixed)
    assert first.token == second.token and first["oaep.seed"] == seed
