"""Key sets (JWKS): entries that cannot be used are skipped (RFC 7517 §5), one kid may name
keys that differ in kty or use (RFC 7517 §4.5), and selection picks the one that fits."""

from __future__ import annotations

import pytest
from conftest import raises_code

import jwe_steps
from jwe_steps import jws
from jwe_steps.b64 import b64url_encode
from jwe_steps.keys import KeySet, SkippedKey

ED25519_SIG = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(b"\x07" * 32), "use": "sig"}
SECP256K1 = {"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA", "kid": "k1"}
AKP = {"kty": "AKP", "alg": "ML-DSA-44", "pub": "AAAA", "kid": "pq-1"}


@pytest.fixture(scope="module")
def legacy_rsa_sig():
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return dict(jwe_steps.Key("RSA", small.public_key()).to_jwk(), use="sig", kid="legacy-1")


def test_a_partners_jwks_with_an_ed25519_signing_key_loads_the_rest(rsa_key):
    jwks = {"keys": [rsa_key.public_key().to_jwk(), dict(ED25519_SIG, kid="sig-1")]}
    keys = jwe_steps.load_key_set(jwks)
    assert keys.kids == (rsa_key.kid,)
    (skipped,) = keys.skipped
    assert isinstance(skipped, SkippedKey)
    assert (skipped.index, skipped.kid, skipped.kty, skipped.code) == (
        1,
        "sig-1",
        "OKP",
        "key.unsupported",
    )
    sealed = jwe_steps.encrypt(b"hi", jwks, alg="RSA-OAEP-256", enc="A256GCM")  # the only key
    private_set = {"keys": [rsa_key.to_jwk(private=True), dict(ED25519_SIG, kid="sig-1")]}
    assert jwe_steps.decrypt(sealed.token, private_set).plaintext == b"hi"
    with raises_code("key.kid_skipped"):
        keys.select("sig-1")
    with raises_code("key.kid_unknown"):
        keys.select("nobody")


def test_every_kind_of_unusable_entry_is_skipped_with_its_code(rsa_key, legacy_rsa_sig):
    entries = [
        dict(ED25519_SIG, kid="ed-1"),
        SECP256K1,
        AKP,
        legacy_rsa_sig,
        {"kty": "RSA", "e": "AQAB", "kid": "no-n"},
        {"kty": 7},
        rsa_key.public_key().to_jwk(),
    ]
    keys = jwe_steps.load_key_set({"keys": entries})
    assert keys.kids == (rsa_key.kid,)
    assert [(entry.index, entry.kid, entry.code) for entry in keys.skipped] == [
        (0, "ed-1", "key.unsupported"),
        (1, "k1", "key.unsupported"),
        (2, "pq-1", "key.unsupported"),
        (3, "legacy-1", "key.size"),
        (4, "no-n", "key.member_missing"),
        (5, None, "key.unsupported"),
    ]
    assert keys.skipped[5].kty is None
    with raises_code("key.kid_skipped") as caught:
        keys.select("legacy-1")
    assert "key.size" in caught.value.found  # the skipped entry's own code is named


def test_a_jwks_of_which_nothing_loads_is_refused_with_the_first_entrys_code(legacy_rsa_sig):
    with raises_code("key.unsupported"):
        jwe_steps.load_key_set({"keys": [dict(ED25519_SIG, kid="sig-1")]})
    with raises_code("key.size"):
        jwe_steps.load_key_set({"keys": [legacy_rsa_sig, dict(ED25519_SIG, kid="sig-1"), AKP]})
    empty = jwe_steps.load_key_set({"keys": []})  # an empty set is no error until it is used
    assert empty.keys == () and empty.skipped == ()
    with raises_code("key.kid_required"):
        empty.select(None)


@pytest.mark.parametrize(
    ("jwks", "code"),
    [
        ({"keys": [{"kty": "oct", "k": "AAAA"}, "not a JWK"]}, "key.format"),
        ({"keys": [{"kty": "oct", "k": "AAAA"}, None]}, "key.format"),
        ({"keys": [{"kty": "oct", "k": "AAAA"}, [{"kty": "oct", "k": "BBBB"}]]}, "key.format"),
        ({"keys": {"kty": "oct", "k": "AAAA"}}, "key.member"),
        (
            {"keys": [{"kty": "oct", "k": "AAAA"}, {"kty": "XYZ", "kid": "\ud800"}]},
            "json.surrogate",
        ),
    ],
    ids=["string-entry", "null-entry", "array-entry", "keys-not-array", "lone-surrogate"],
)
def test_a_jwks_that_is_itself_broken_is_refused_whole(jwks, code):
    with raises_code(code):
        jwe_steps.load_key_set(jwks)


def test_the_same_jwks_as_json_text_skips_the_same_entries(rsa_key):
    import json

    text = json.dumps({"keys": [dict(ED25519_SIG, kid="sig-1"), rsa_key.public_key().to_jwk()]})
    for form in (text, text.encode()):
        keys = jwe_steps.load_key_set(form)
        assert keys.kids == (rsa_key.kid,) and [s.index for s in keys.skipped] == [0]


def test_a_list_of_keys_given_in_python_is_still_loaded_strictly(rsa_key):
    with raises_code("key.unsupported"):
        jwe_steps.load_key_set([rsa_key.public_key().to_jwk(), dict(ED25519_SIG, kid="sig-1")])


def test_jws_verify_with_a_jwks_holding_an_unusable_entry():
    signer = jws.generate_signing_key("ES256")
    token = jws.sign(b"signed", signer, alg="ES256").token
    jwks = {"keys": [dict(ED25519_SIG, kid="ed-1"), signer.public_key().to_jwk()]}
    assert jws.verify(token, jwks, algorithms={"ES256"}).payload == b"signed"


# ---------------------------------------------------------------- one kid on several keys


def test_one_kid_on_keys_of_different_kty_is_allowed_and_selection_picks_by_alg():
    rsa_key = jwe_steps.generate_key("RSA", kid="shared")
    ec_key = jwe_steps.generate_key("EC", kid="shared")
    okp_key = jwe_steps.generate_key("OKP", crv="X25519", kid="shared")
    public = {"keys": [k.public_key().to_jwk() for k in (rsa_key, ec_key, okp_key)]}
    private = KeySet((rsa_key, ec_key, okp_key))
    keys = jwe_steps.load_key_set(public)
    assert keys.kids == ("demo-shared",) * 3
    with raises_code("key.duplicate_kid"):
        keys.select("demo-shared")  # nothing says which
    assert keys.select("demo-shared", key_types=("RSA",)).kty == "RSA"
    assert keys.select("demo-shared", key_types=("EC",)).kty == "EC"
    header = {"kid": "demo-shared"}
    for alg in ("RSA-OAEP-256", "ECDH-ES+A128KW"):
        if alg.startswith("ECDH"):
            with raises_code("key.duplicate_kid"):  # EC and OKP both fit ECDH-ES: ambiguous
                jwe_steps.encrypt(b"x", public, alg=alg, enc="A256GCM", header=header)
            sets = [
                {"keys": [k.public_key().to_jwk() for k in (rsa_key, key)]}
                for key in (ec_key, okp_key)
            ]
        else:
            sets = [public]
        for recipient_set in sets:
            sealed = jwe_steps.encrypt(b"x", recipient_set, alg=alg, enc="A256GCM", header=header)
            # The decrypting side holds all three: the epk's kty tells EC from OKP.
            assert jwe_steps.decrypt(sealed.token, private).plaintext == b"x"


def test_one_kid_on_a_signing_and_an_encryption_key_of_one_kty():
    enc = jwe_steps.generate_key("RSA", kid="rotating")  # use "enc"
    sig = jws.generate_signing_key("PS256", kid="rotating")  # use "sig"
    assert enc.kid == sig.kid
    keys = KeySet((sig, enc))
    assert keys.select(enc.kid, use="enc") is enc
    assert keys.select(enc.kid, use="sig") is sig
    sealed = jwe_steps.encrypt(
        b"x",
        KeySet((sig.public_key(), enc.public_key())),
        alg="RSA-OAEP-256",
        enc="A256GCM",
        header={"kid": enc.kid},
    )
    assert jwe_steps.decrypt(sealed.token, keys).plaintext == b"x"
    signed = jws.sign(b"s", sig, alg="PS256").token
    assert (
        jws.verify(
            signed, KeySet((enc.public_key(), sig.public_key())), algorithms={"PS256"}
        ).payload
        == b"s"
    )


def test_one_kid_on_two_keys_nothing_tells_apart_is_refused():
    enc = jwe_steps.generate_key("RSA", kid="same")
    without_use = jwe_steps.Key("RSA", jwe_steps.generate_key("RSA").material, kid=enc.kid)
    with raises_code("key.duplicate_kid"):
        KeySet((enc, without_use))  # no use: it could serve encryption too
    with raises_code("key.duplicate_kid"):
        jwe_steps.load_key_set({"keys": [enc.to_jwk(), without_use.to_jwk()]})
    ec_a, ec_b = (jwe_steps.generate_key("EC", kid="same") for _ in range(2))
    with raises_code("key.duplicate_kid"):
        KeySet((ec_a, ec_b))


def test_a_single_key_with_the_kid_is_returned_even_when_it_does_not_fit():
    rsa_key = jwe_steps.generate_key("RSA", kid="only")
    keys = KeySet((rsa_key,))
    assert keys.select(rsa_key.kid, key_types=("EC", "OKP"), use="enc") is rsa_key
    ec_key = jwe_steps.generate_key("EC")
    sealed = jwe_steps.encrypt(
        b"x", ec_key, alg="ECDH-ES", enc="A256GCM", header={"kid": rsa_key.kid}
    )
    with raises_code("key.type"):  # the binding check names the problem, as before
        jwe_steps.decrypt(sealed.token, keys)


def test_a_skipped_entry_that_shares_a_kid_with_a_loaded_key_is_named_when_it_was_wanted():
    rsa_key = jwe_steps.generate_key("RSA", kid="pair")
    okp_key = jwe_steps.generate_key("OKP", crv="X25519", kid="pair")
    broken_okp = dict(okp_key.to_jwk(private=True), x=b64url_encode(b"\x01" * 31))
    keys = jwe_steps.load_key_set({"keys": [rsa_key.to_jwk(private=True), broken_okp]})
    assert keys.kids == (rsa_key.kid,) and keys.skipped[0].code == "key.member"
    sealed = jwe_steps.encrypt(
        b"x", okp_key.public_key(), alg="ECDH-ES", enc="A256GCM", header={"kid": rsa_key.kid}
    )
    with raises_code("key.kid_skipped"):
        jwe_steps.decrypt(sealed.token, keys)
    assert keys.select(rsa_key.kid, key_types=("RSA",)).kty == "RSA"


def test_raise_if_skipped_is_for_callers_that_look_kids_up_themselves():
    keys = jwe_steps.load_key_set(
        {"keys": [{"kty": "oct", "k": "AAAA", "kid": "a"}, dict(ED25519_SIG, kid="ed-1")]}
    )
    keys.raise_if_skipped("a")  # a loaded key's kid: nothing to say
    keys.raise_if_skipped("nobody")
    with raises_code("key.kid_skipped") as caught:
        keys.raise_if_skipped("ed-1", stage=jwe_steps.Stage.SIGNATURE)
    assert caught.value.stage == jwe_steps.Stage.SIGNATURE


def test_jws_verify_picks_the_key_of_the_algs_type_among_keys_sharing_a_kid():
    rsa_signer = jws.generate_signing_key("PS256", kid="same")
    ec_signer = jws.generate_signing_key("ES256", kid="same")
    keys = KeySet((rsa_signer.public_key(), ec_signer.public_key()))
    for signer, alg in ((rsa_signer, "PS256"), (ec_signer, "ES256")):
        token = jws.sign(b"s", signer, alg=alg).token
        assert jws.verify(token, keys, algorithms={alg}).payload == b"s"


def test_a_broken_twin_of_a_loaded_key_refuses_the_set(rsa_key):
    # The same kid, kty and use on two keys is key.duplicate_kid when both load; when one is
    # broken, skipping it would leave the other to be chosen in its place.
    other = jwe_steps.generate_key("RSA", kid=rsa_key.kid)
    broken = dict(other.to_jwk(private=True), d="AQAB")
    for dp in ("dp", "dq", "qi", "p", "q"):
        broken.pop(dp)
    with raises_code("key.rsa_private"):
        jwe_steps.load_key_set({"keys": [rsa_key.to_jwk(private=True), broken]})


def test_a_jws_kid_on_a_skipped_key_of_the_algs_type_is_named_not_replaced():
    rsa_signer = jws.generate_signing_key("PS256", kid="shared")
    ec_signer = jws.generate_signing_key("ES256", kid="shared")
    unusable_ec = dict(ec_signer.public_key().to_jwk(), crv="secp256k1")  # skipped
    token = jws.sign(b"s", ec_signer, alg="ES256").token
    keys = jwe_steps.load_key_set({"keys": [rsa_signer.public_key().to_jwk(), unusable_ec]})
    with raises_code("key.kid_skipped"):  # not jws.key_type with the RSA key
        jws.verify(token, keys, algorithms={"ES256"})
    # The RSA key still verifies what it signed: the skipped entry could not be its key.
    signed = jws.sign(b"s", rsa_signer, alg="PS256").token
    assert jws.verify(signed, keys, algorithms={"PS256"}).payload == b"s"
    encryption = dict(jwe_steps.generate_key("EC", kid="shared").public_key().to_jwk(), use="enc")
    keys = jwe_steps.load_key_set({"keys": [encryption, unusable_ec]})
    with raises_code("key.kid_skipped"):  # not jws.kid_unknown: the enc key cannot sign
        jws.verify(token, keys, algorithms={"ES256"})


def test_a_skipped_signing_key_sharing_a_kid_does_not_stop_encryption(rsa_key):
    jwks = {"keys": [rsa_key.to_jwk(private=True), dict(ED25519_SIG, kid=rsa_key.kid)]}
    sealed = jwe_steps.encrypt(b"hi", jwks, alg="RSA-OAEP-256", enc="A256GCM",
                               header={"kid": rsa_key.kid})  # fmt: skip
    assert jwe_steps.decrypt(sealed.token, jwks).plaintext == b"hi"


def test_without_a_kid_the_only_key_that_fits_the_operation_is_chosen():
    # A partner's JWKS as served: one encryption key and one signing key, no kid asked for.
    enc, sig = jwe_steps.generate_key("RSA"), jwe_steps.generate_key("EC", crv="P-256")
    partner = jwe_steps.load_key_set(
        {"keys": [sig.to_jwk() | {"use": "sig"}, enc.to_jwk() | {"use": "enc"}]}
    )
    assert partner.select(None, key_types=("RSA",), use="enc").kid == enc.kid
    token = jwe_steps.encrypt(b"hi", partner, alg="RSA-OAEP-256", enc="A256GCM").token
    assert jwe_steps.decrypt(token, enc).plaintext == b"hi"
    with pytest.raises(jwe_steps.JWEError) as unsaid:  # nothing says what the caller needs
        partner.select(None)
    assert unsaid.value.code == "key.kid_required"
    two = jwe_steps.load_key_set(
        {"keys": [enc.to_jwk() | {"use": "enc"}, jwe_steps.generate_key("RSA").to_jwk()]}
    )
    with pytest.raises(jwe_steps.JWEError) as several:  # two RSA keys fit: the kid decides
        two.select(None, key_types=("RSA",), use="enc")
    assert several.value.code == "key.kid_required"
    broken = {"kty": "RSA", "use": "enc", "kid": "demo-broken", "n": "AQAB", "e": "AQAB"}
    served = [sig.to_jwk() | {"use": "sig"}, enc.to_jwk() | {"use": "enc"}]
    shadowed = jwe_steps.load_key_set({"keys": [broken, *served]})
    assert [entry.kid for entry in shadowed.skipped] == ["demo-broken"]
    with pytest.raises(jwe_steps.JWEError) as unsure:  # the skipped one could have been it
        shadowed.select(None, key_types=("RSA",), use="enc")
    assert unsure.value.code == "key.kid_required"
