"""load_key / generate_key / thumbprints."""

from __future__ import annotations

import json

import pytest
from _certificates import make_certificate as _certificate
from conftest import P256_PRIME, p256_point_with_small_x, raises_code
from cryptography.hazmat.primitives.asymmetric import rsa

import jwe_steps
from jwe_steps import JWEError, Stage
from jwe_steps.examples.rfc7638 import RFC7638_JWK, RFC7638_THUMBPRINT
from jwe_steps.keys import KeySet


def test_rfc_7638_thumbprint_example():
    # RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
    jwk = RFC7638_JWK
    assert jwe_steps.load_key(jwk).thumbprint() == RFC7638_THUMBPRINT


def test_every_input_form_loads_the_same_key(rsa_key):
    forms = [
        rsa_key,
        rsa_key.to_jwk(private=True),
        json.dumps(rsa_key.to_jwk(private=True)),
        rsa_key.to_pem(private=True),
        rsa_key.to_pem(private=True).decode(),
        rsa_key.material,
    ]
    thumbprints = {jwe_steps.load_key(form).thumbprint() for form in forms}
    assert thumbprints == {rsa_key.thumbprint()}
    assert jwe_steps.load_key(rsa_key.to_pem()).is_private is False


def test_private_jwk_without_crt_members_still_loads(rsa_key):
    jwk = rsa_key.to_jwk(private=True)
    minimal = {name: jwk[name] for name in ("kty", "n", "e", "d")}
    assert (
        jwe_steps.load_key(minimal).material.private_numbers() == rsa_key.material.private_numbers()
    )


def test_demo_keys_are_labelled(rsa_key):
    assert rsa_key.demo and rsa_key.kid.startswith("demo-")
    assert repr(rsa_key).startswith("<DEMO RSA 2048-bit private key")
    assert jwe_steps.generate_key("RSA", kid="mine").kid == "demo-mine"
    assert jwe_steps.load_key(rsa_key.to_jwk()).demo


@pytest.mark.parametrize(
    ("material", "code", "found"),
    [
        ({"kty": "RSA", "n": "AQAB"}, "key.member_missing", "none"),
        ({"kty": "RSA", "n": "AQAB=", "e": "AQAB"}, "key.member", "'=' at character 4"),
        ({"kty": "XYZ"}, "key.unsupported", "'XYZ'"),
        ({"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"}, "key.unsupported", "'P-999'"),
        ({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, "key.ec_point", "x 1 B, y 1 B"),
        ("not json or pem", "key.format", "15 characters of something else"),
        (
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "key.format",
            "it did not parse",
        ),
        ({"keys": []}, "key.format", "a JWKS with 0 keys"),
        (3.14, "key.format", "float"),
    ],
)
def test_bad_key_material_names_the_problem(material, code, found):
    with pytest.raises(JWEError) as caught:
        jwe_steps.load_key(material)
    assert caught.value.stage == Stage.KEY
    assert caught.value.code == code
    assert caught.value.found == found


def test_inconsistent_private_key_is_refused(rsa_key):
    jwk = rsa_key.to_jwk(private=True)
    other = jwe_steps.generate_key("RSA").to_jwk(private=True)
    jwk["d"] = other["d"]
    with raises_code("key.rsa_private"):
        jwe_steps.load_key(jwk)


def test_key_sets_select_by_kid(rsa_key):
    other = jwe_steps.generate_key("RSA")
    keys = jwe_steps.load_key_set({"keys": [rsa_key.to_jwk(), other.to_jwk()]})
    assert isinstance(keys, KeySet)
    assert keys.select(other.kid).thumbprint() == other.thumbprint()
    with raises_code("key.kid_required"):
        keys.select(None)


def test_small_rsa_is_refused_in_every_form():
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    wrapped = jwe_steps.Key("RSA", small)
    for form in (small, small.public_key(), wrapped.to_pem(private=True), wrapped.to_jwk()):
        with raises_code("key.size"):
            jwe_steps.load_key(form)


@pytest.mark.parametrize(
    ("kty", "crv"),
    [("EC", "P-256"), ("EC", "P-384"), ("EC", "P-521"), ("OKP", "X25519"), ("OKP", "X448")],
)
def test_generated_curve_keys_round_trip_through_jwk(kty, crv):
    key = jwe_steps.generate_key(kty, crv=crv)
    again = jwe_steps.load_key(key.to_jwk(private=True))
    assert again.thumbprint() == key.thumbprint() and again.curve == crv and again.is_private
    assert jwe_steps.load_key(key.to_jwk()).is_private is False


# ---------------------------------------------------------------- strict JSON in keys (issue 13)


def _code(material, loader=jwe_steps.load_key) -> str:
    with pytest.raises(JWEError) as caught:
        loader(material)
    assert caught.value.stage == Stage.KEY
    return caught.value.code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"kty":"oct","k":"AAAA","kid":"\\ud800"}', "json.surrogate"),
        ('{"kty":"oct","k":"AAAA","kid":"\\udfff\\ud800"}', "json.surrogate"),
        ('{"kty":"oct","k":"AAAA","x":1e400}', "json.number"),
        ('{"kty":"oct","k":"AAAA","x":-1E+999}', "json.number"),
        ('{"kty":"oct","k":"AAAA","k":"BBBB"}', "json.duplicate_member"),
        ('{"kty":"oct","k":"AAAA","x":NaN}', "json.number"),
        ("[" * 100_000 + "]" * 100_000, "json.depth"),
    ],
    ids=["surrogate", "reversed-pair", "1e400", "-1E+999", "duplicate", "NaN", "deep"],
)
def test_key_json_is_strict_in_every_form(text, code):
    assert _code(text) == code
    assert _code(text.encode()) == code
    assert _code(text, jwe_steps.load_key_set) == code
    assert _code(text.encode(), jwe_steps.load_key_set) == code


def test_a_surrogate_pair_is_a_character_not_a_lone_surrogate():
    key = jwe_steps.load_key('{"kty":"oct","k":"AAAA","kid":"\\ud83d\\ude00"}')
    assert key.kid == "\U0001f600"


def test_a_lone_surrogate_in_a_jwk_dict_is_refused_too():
    assert _code({"kty": "oct", "k": "AAAA", "kid": "\ud800"}) == "json.surrogate"


@pytest.mark.parametrize(
    "data",
    [
        b'{"kty":"oct","k":"AAAA",}',  # the trailing comma that made a 224-bit raw key
        b'{"kty":"oct" "k":"AAAA"}',
        b"  {not json}\n",
        b'[{"kty":"oct","k":"AAAA"},]',
    ],
)
def test_bytes_that_look_like_json_but_do_not_parse_are_an_error(data):
    assert _code(data) == "json.invalid"


def test_a_json_array_of_keys_is_not_one_key():
    assert _code(b'[{"kty":"oct","k":"AAAA"}]') == "key.format"
    assert len(jwe_steps.load_key_set(b'[{"kty":"oct","k":"AAAA"}]').keys) == 1


def test_explicit_constructors_say_which_form_the_bytes_are():
    secret = b'{"kty":"oct","k":"AAAA",}'  # looks like JSON, but the caller says it is a key
    assert jwe_steps.Key.symmetric(secret).material == secret
    assert jwe_steps.Key.password("{pass}").material == b"{pass}"
    assert jwe_steps.Key.from_jwk(b'{"kty":"oct","k":"AAAA"}').material == b"\0\0\0"
    assert _code(b"\0" * 16, jwe_steps.Key.from_jwk) == "json.invalid"
    assert _code(b"", jwe_steps.Key.symmetric) == "key.format"
    assert _code("not pem", jwe_steps.Key.from_pem) == "key.format"
    raw = jwe_steps.load_key(b"0123456789abcdef")  # plain raw bytes still are a raw key
    assert raw.kty == "oct" and raw.size_bits == 128


def test_from_pem_reads_private_and_public_pem(rsa_key):
    assert jwe_steps.Key.from_pem(rsa_key.to_pem(private=True)).is_private
    assert jwe_steps.Key.from_pem(rsa_key.to_pem().decode()).thumbprint() == rsa_key.thumbprint()


# ---------------------------------------------------------------- keys that load but cannot be used


def _rsa_public_jwk(n: int, e: int = 65537) -> dict:
    def b64(value: int) -> str:
        return jwe_steps.b64.b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    return {"kty": "RSA", "n": b64(n), "e": b64(e)}


@pytest.mark.parametrize(
    ("n", "e", "code"),
    [
        ((1 << 2047) + 1234, 65537, "key.rsa_modulus"),  # even
        ((1 << 20000) + 1, 65537, "key.rsa_modulus"),  # 20 001 bits
        ((1 << 2047) + 1, 65536, "key.rsa_exponent"),
        ((1 << 2047) + 1, 1, "key.rsa_exponent"),
        ((1 << 1023) + 1, 65537, "key.size"),
    ],
    ids=["even", "20001-bit", "even-e", "e-1", "1024-bit"],
)
def test_rsa_public_keys_that_cannot_encrypt_are_refused_at_load(n, e, code):
    assert _code(_rsa_public_jwk(n, e)) == code


def test_rsa_modulus_limit_is_openssls():
    assert jwe_steps.keys.MAX_RSA_BITS == 16384
    assert jwe_steps.load_key(_rsa_public_jwk((1 << 16383) + 1)).size_bits == 16384
    assert _code(_rsa_public_jwk((1 << 16384) + 1)) == "key.rsa_modulus"


def test_okp_private_key_must_match_its_x():
    key = jwe_steps.generate_key("OKP", crv="X25519").to_jwk(private=True)
    other = jwe_steps.generate_key("OKP", crv="X25519").to_jwk()
    assert _code({**key, "x": other["x"]}) == "key.okp_mismatch"
    assert _code({**key, "x": "AAAA"}) == "key.member"
    without_x = {name: value for name, value in key.items() if name != "x"}
    assert _code(without_x) == "key.member_missing"


def test_ec_private_key_must_match_its_point():
    key = jwe_steps.generate_key("EC").to_jwk(private=True)
    other = jwe_steps.generate_key("EC").to_jwk()
    assert _code({**key, "x": other["x"], "y": other["y"]}) == "key.ec_point"


@pytest.mark.parametrize(
    "members",
    [
        {"key_ops": "encrypt"},
        {"key_ops": {"encrypt": True}},
        {"key_ops": ["encrypt", 1]},
        {"key_ops": ["encrypt", "encrypt"]},
        {"use": ["enc"]},
        {"kid": 7},
        {"alg": None},
    ],
)
def test_jwk_metadata_of_the_wrong_type_is_refused(members):
    assert _code({"kty": "oct", "k": "AAAA", **members}) == "key.member"


def test_key_ops_array_is_kept():
    key = jwe_steps.load_key({"kty": "oct", "k": "AAAA", "key_ops": ["wrapKey", "unwrapKey"]})
    assert key.key_ops == ("wrapKey", "unwrapKey")


def test_duplicate_kids_in_a_key_set_are_refused(rsa_key):
    other = jwe_steps.generate_key("RSA", kid=rsa_key.kid)
    jwks = {"keys": [rsa_key.to_jwk(), other.to_jwk()]}
    assert _code(jwks, jwe_steps.load_key_set) == "key.duplicate_kid"
    unnamed = {"keys": [{"kty": "oct", "k": "AAAA"}, {"kty": "oct", "k": "BBBB"}]}
    assert len(jwe_steps.load_key_set(unnamed).keys) == 2


def test_a_key_set_without_a_kid_to_choose_lists_the_kids(rsa_key):
    other = jwe_steps.generate_key("RSA")
    keys = jwe_steps.load_key_set({"keys": [rsa_key.to_jwk(), other.to_jwk()]})
    with pytest.raises(JWEError) as caught:
        keys.select(None)
    assert caught.value.code == "key.kid_required"
    assert rsa_key.kid in caught.value.expected and other.kid in caught.value.expected
    assert keys.kids == (rsa_key.kid, other.kid)
    with pytest.raises(JWEError) as unknown:
        keys.select("nobody")
    assert unknown.value.code == "key.kid_unknown"
    with pytest.raises(JWEError) as encrypting:
        jwe_steps.encrypt(b"x", keys, alg="RSA-OAEP-256", enc="A256GCM")
    assert encrypting.value.code == "key.kid_required"
    sealed = jwe_steps.encrypt(
        b"x", keys, alg="RSA-OAEP-256", enc="A256GCM", header={"kid": other.kid}
    )
    assert sealed.header["kid"] == other.kid


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kty": "RSA", "size": 1024}, "key.size"),
        ({"kty": "RSA", "size": 20000}, "key.rsa_modulus"),
        ({"kty": "EC", "crv": "P-999"}, "key.unsupported"),
        ({"kty": "OKP", "crv": "Ed25519"}, "key.unsupported"),
        ({"kty": "oct", "size": 7}, "key.member"),
        ({"kty": "oct", "size": 0}, "key.member"),
        ({"kty": "DSA"}, "key.unsupported"),
    ],
)
def test_generate_key_refuses_bad_parameters_with_a_code(kwargs, code):
    kty = kwargs.pop("kty")
    with pytest.raises(JWEError) as caught:
        jwe_steps.generate_key(kty, **kwargs)
    assert caught.value.code == code


def test_generate_key_states_the_kid_it_sets():
    key = jwe_steps.generate_key("oct", size=128, kid="mine")
    assert key.kid == "demo-mine" and "kid='demo-mine'" in repr(key)
    assert jwe_steps.generate_key("oct", size=128, kid="demo-x").kid == "demo-x"
    assert "demo-mine" in (jwe_steps.generate_key.__doc__ or "")
    assert "DEMO" in key.describe()


# ---------------------------------------------------------------- X.509 certificates


def test_a_pem_certificate_gives_its_public_key_and_what_it_says(rsa_key):
    import datetime

    pem = _certificate(rsa_key)
    for form in (pem, pem.decode(), b"Partner cert\n" + pem):
        key = jwe_steps.load_key(form)
        assert key.thumbprint() == rsa_key.thumbprint() and not key.is_private
    key = jwe_steps.Key.from_pem(pem)
    assert key.certificate is not None
    assert key.certificate.subject == "O=Partner (DEMO),CN=api.partner.example"
    assert key.certificate.issuer == key.certificate.subject
    assert key.certificate.serial_number == 0x1234ABCD
    assert key.certificate.not_valid_before == datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert key.certificate.not_valid_after.day == 31
    assert key.certificate.is_valid_at(datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC))
    assert not key.certificate.is_valid_at(datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC))
    assert "api.partner.example" in repr(key) and "serial 1234abcd" in key.describe()
    assert key.certificate.to_dict()["serial_number"] == "1234abcd"
    assert key.public_key().certificate == key.certificate
    token = jwe_steps.encrypt(b"hi", key, alg="RSA-OAEP-256", enc="A256GCM").token
    assert jwe_steps.decrypt(token, rsa_key).plaintext == b"hi"


def test_a_certificate_object_loads_like_its_pem(rsa_key):
    from cryptography import x509

    certificate = x509.load_pem_x509_certificate(_certificate(rsa_key))
    key = jwe_steps.load_key(certificate)
    assert key.thumbprint() == rsa_key.thumbprint()
    assert key.certificate is not None and key.certificate.serial_number == 0x1234ABCD


def test_an_ec_certificate_loads_too():
    ec_key = jwe_steps.generate_key("EC", crv="P-384")
    assert jwe_steps.load_key(_certificate(ec_key)).thumbprint() == ec_key.thumbprint()


def test_a_broken_certificate_says_it_is_a_certificate(rsa_key):
    pem = _certificate(rsa_key).decode()
    lines = pem.splitlines()
    truncated = "\n".join(lines[:3] + lines[-1:]) + "\n"
    assert _code(truncated) == "key.certificate"
    garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    assert _code(garbage.encode()) == "key.certificate"


def test_small_rsa_certificate_is_refused():
    small = jwe_steps.Key("RSA", rsa.generate_private_key(public_exponent=65537, key_size=1024))
    assert _code(_certificate(small)) == "key.size"


def test_a_key_generated_for_a_jws_alg_is_marked_for_signing():
    from jwe_steps import jws
    from jwe_steps.keys import generation

    generate_key = jwe_steps.generate_key
    assert generate_key("RSA", alg="PS256").use == "sig"
    assert generate_key("EC", alg="ES256").use == "sig"
    assert generate_key("RSA", alg="RSA-OAEP-256").use == "enc"
    assert generate_key("RSA").use == "enc"
    signer = generate_key("RSA", alg="PS256")
    token = jws.sign(b"x", signer, alg="PS256").token
    assert jws.verify(token, signer.public_key(), algorithms={"PS256"}).payload == b"x"
    assert frozenset(jws.ALGORITHMS) == generation._JWS_ALGS


def test_an_ec_coordinate_not_below_the_field_prime_is_refused():
    x, y = p256_point_with_small_x()
    as_bytes = {name: value.to_bytes(32, "big") for name, value in (("x", x), ("y", y))}
    jwk = {"kty": "EC", "crv": "P-256"}
    canonical = {
        **jwk,
        **{name: jwe_steps.b64.b64url_encode(raw) for name, raw in as_bytes.items()},
    }
    assert jwe_steps.load_key(canonical).kty == "EC"  # the point itself is fine
    unreduced = dict(canonical, x=jwe_steps.b64.b64url_encode((x + P256_PRIME).to_bytes(32, "big")))
    with raises_code("key.ec_point"):
        jwe_steps.load_key(unreduced)


def test_an_ec_private_key_d_must_have_the_curves_full_size():
    jwk = jwe_steps.generate_key("EC").to_jwk(private=True)  # a DEMO key
    d = jwe_steps.b64.b64url_decode(jwk["d"])
    for wrong in (b"\x00" + d, d[1:]):  # RFC 7518 §6.2.2.1: exactly 32 bytes for P-256
        with raises_code("key.ec_point"):
            jwe_steps.load_key(dict(jwk, d=jwe_steps.b64.b64url_encode(wrong)))


# ---------------------------------------------------------------- RSA private members (RFC 7518 §6.3.2)


def _b64_uint(value: int) -> str:
    return jwe_steps.b64.b64url_encode(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def _no_recovery(monkeypatch):
    """Make any attempt to recover the primes fail the test: the refusal must come first."""
    from jwe_steps.keys import jwk as jwk_module

    def recover(*_args):
        pytest.fail("the primes were recovered from a d that could not fit")

    monkeypatch.setattr(jwk_module, "_recover_factors", recover)


@pytest.mark.parametrize("size", [65536, 1 << 20, 256], ids=["64KiB", "1MiB", "as-long-as-n"])
def test_an_rsa_d_not_below_n_is_refused_before_any_arithmetic(rsa_key, monkeypatch, size):
    _no_recovery(monkeypatch)
    public = rsa_key.public_key().to_jwk()
    d = jwe_steps.b64.b64url_encode(b"\xff" * size)  # 256 bytes of 0xff: above any 2048-bit n
    assert _code(dict(public, d=d)) == "key.rsa_private"


@pytest.mark.parametrize("name", ["p", "q", "dp", "dq", "qi"])
def test_an_rsa_crt_member_longer_than_n_is_refused(rsa_key, name):
    jwk = rsa_key.to_jwk(private=True)
    assert _code(dict(jwk, **{name: jwe_steps.b64.b64url_encode(b"\x01" * 65536)})) == (
        "key.rsa_private"
    )


@pytest.mark.parametrize(
    "kept",
    [("p", "q"), ("p",), ("dp", "dq", "qi"), ("p", "q", "dp", "dq")],
    ids=["p-q", "p", "dp-dq-qi", "all-but-qi"],
)
def test_a_partial_set_of_rsa_crt_members_is_refused(rsa_key, monkeypatch, kept):
    _no_recovery(monkeypatch)
    jwk = rsa_key.to_jwk(private=True)
    partial = {name: jwk[name] for name in ("kty", "n", "e", "d", *kept)}
    assert _code(partial) == "key.member_missing"


def test_rsa_primes_of_another_key_are_refused(rsa_key):
    jwk = rsa_key.to_jwk(private=True)
    other = jwe_steps.generate_key("RSA").to_jwk(private=True)
    mixed = dict(jwk, **{name: other[name] for name in ("p", "q", "dp", "dq", "qi")})
    assert _code(mixed) == "key.rsa_private"
    swapped_one = dict(jwk, p=other["p"])
    assert _code(swapped_one) == "key.rsa_private"


def test_rsa_crt_members_without_d_are_refused(rsa_key):
    jwk = rsa_key.to_jwk(private=True)
    del jwk["d"]
    assert _code(jwk) == "key.member_missing"


def test_a_multi_prime_rsa_key_is_refused_as_unsupported(rsa_key):
    jwk = rsa_key.to_jwk(private=True)
    oth = [{"r": jwk["p"], "d": jwk["dp"], "t": jwk["qi"]}]
    assert _code(dict(jwk, oth=oth)) == "key.unsupported"
    minimal = {name: jwk[name] for name in ("kty", "n", "e", "d")}
    assert _code(dict(minimal, oth=oth)) == "key.unsupported"


def test_a_private_exponent_reduced_modulo_phi_also_loads(rsa_key):
    numbers = rsa_key.material.private_numbers()
    p, q, e = numbers.p, numbers.q, numbers.public_numbers.e
    d_phi = pow(e, -1, (p - 1) * (q - 1))  # modulo phi: another common choice than lambda
    jwk = {"kty": "RSA", "n": _b64_uint(p * q), "e": _b64_uint(e), "d": _b64_uint(d_phi)}
    loaded = jwe_steps.load_key(jwk).material.private_numbers()
    assert {loaded.p, loaded.q} == {p, q}


def test_recovering_the_primes_of_a_crafted_modulus_is_bounded(rsa_key, monkeypatch):
    from jwe_steps.keys import jwk as jwk_module

    # n = p**3: a modulus for which no try can succeed (its group of units is cyclic).
    p = rsa.generate_private_key(public_exponent=65537, key_size=1400).private_numbers().p
    n, e = p**3, 65537
    d = pow(e, -1, p * p * (p - 1))  # e*d = 1 modulo lambda(p**3): d "fits"
    calls = []

    def counting_pow(*args):
        calls.append(len(args))
        return pow(*args)

    monkeypatch.setattr(jwk_module, "pow", counting_pow, raising=False)
    assert n.bit_length() >= jwe_steps.keys.MIN_RSA_BITS
    assert _code({"kty": "RSA", "n": _b64_uint(n), "e": _b64_uint(e), "d": _b64_uint(d)}) == (
        "key.rsa_modulus"
    )
    assert len(calls) == 2  # one try, then the Fermat test; the root test finds the cube


def test_a_large_rsa_key_without_crt_members_is_refused_before_recovery(monkeypatch):
    from jwe_steps.keys import jwk as jwk_module

    _no_recovery(monkeypatch)
    n = (1 << (jwk_module.MAX_RSA_RECOVERY_BITS + 8)) + 1
    jwk = {**_rsa_public_jwk(n), "d": _b64_uint(3)}
    assert _code(jwk) == "key.member_missing"


# ---------------------------------------------------------------- no private key material in messages


def _flip_last(value: str) -> str:
    """The same length, with a last character whose unused bits are set (non-canonical)."""
    return value[:-1] + ("B" if value[-1] != "B" else "C")


@pytest.mark.parametrize(
    "spoil",
    [
        _flip_last,
        lambda value: value[:10] + "+" + value[11:],
        lambda value: value[:10] + "." + value[11:],
        lambda value: value + "=",
        lambda value: value + "A" * ((1 - len(value)) % 4),  # 4n+1 characters
    ],
    ids=["non-canonical", "standard-alphabet", "foreign", "padding", "length"],
)
@pytest.mark.parametrize("kty", ["RSA", "EC", "OKP", "oct"])
def test_an_error_about_a_private_member_quotes_no_character_of_it(kty, spoil):
    generated = {
        "RSA": lambda: jwe_steps.generate_key("RSA"),
        "EC": lambda: jwe_steps.generate_key("EC"),
        "OKP": lambda: jwe_steps.generate_key("OKP", crv="X25519"),
        "oct": lambda: jwe_steps.generate_key("oct", size=256),
    }[kty]()
    jwk = generated.to_jwk(private=True)
    for name in sorted({"d", "p", "q", "dp", "dq", "qi", "k"} & jwk.keys()):
        value = jwk[name]
        if spoil is _flip_last and len(value) % 4 == 0:
            continue  # a whole number of bytes has no unused bits to set
        spoiled = spoil(value)
        with pytest.raises(JWEError) as caught:
            jwe_steps.load_key(dict(jwk, **{name: spoiled}))
        error = caught.value
        assert error.code == "key.member", name
        text = " ".join(str(part) for part in (error, error.expected, error.found, error.hint))
        text = text.replace(f"'{name}'", "")  # the member's name is not its value
        for character in set(spoiled):
            assert repr(character) not in text and f'"{character}"' not in text, (name, character)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: jwe_steps.generate_key("RSA", size="2048"), "key.member"),
        (lambda: jwe_steps.generate_key("oct", size=True), "key.member"),
        (lambda: jwe_steps.generate_key("EC", crv=["P-256"]), "key.member"),
        (lambda: jwe_steps.generate_key("oct", kid=5), "key.member"),
        (lambda: jwe_steps.generate_key("oct", kid="lone \ud800"), "json.surrogate"),
        (lambda: jwe_steps.Key.from_pem(None), "key.format"),
        (lambda: jwe_steps.Key.password("lone \ud800"), "key.format"),
        (lambda: KeySet([1]), "key.format"),
        (lambda: KeySet(None), "key.format"),
        (
            lambda: jwe_steps.load_key({"kty": "EC", "crv": [1], "x": "AA", "y": "AA"}),
            "key.unsupported",
        ),
        (lambda: jwe_steps.load_key({"kty": "OKP", "crv": {}, "x": "AA"}), "key.unsupported"),
        (lambda: jwe_steps.load_key({"keys": 5}), "key.format"),
    ],
)
def test_arguments_of_the_wrong_type_are_refused_with_a_code(make, code):
    with pytest.raises(JWEError) as caught:
        make()
    assert caught.value.code == code


def test_rsa_members_with_a_leading_zero_octet_load_as_the_same_key(rsa_key):
    # RFC 7518 §6.3.1.1 tells producers to omit it, and Java's BigInteger.toByteArray() adds
    # one: accepted, as jwcrypto and joserfc accept it. The thumbprint (RFC 7638) is that of the
    # key itself, from its minimal members, so it does not depend on how n was written.
    from jwe_steps.b64 import b64url_decode, b64url_encode

    public = rsa_key.public_key().to_jwk()
    padded = dict(
        public,
        n=b64url_encode(b"\x00" + b64url_decode(public["n"])),
        e=b64url_encode(b"\x00" + b64url_decode(public["e"])),
    )
    loaded = jwe_steps.load_key(padded)
    assert loaded.material.public_numbers() == rsa_key.material.public_key().public_numbers()
    assert loaded.thumbprint() == rsa_key.thumbprint()
    assert loaded.to_jwk()["n"] == public["n"]  # written back minimal
