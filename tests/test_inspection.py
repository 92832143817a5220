"""jwe_steps.inspection: a token's anatomy and what its lengths imply, without a key (issue 16).

Expected sizes come from the RFCs (RFC 7518 §5.2/§5.3, §4.4, §4.7) written out here, not read
back from the registry the module uses.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwe_steps
from jwe_steps.errors import CODES
from jwe_steps.inspection import Inspection, inspect_token

OCT256 = jwe_steps.load_key({"kty": "oct", "k": "A" * 43})
# RFC 7518: enc -> (CEK, IV, tag) bytes.
ENC_SIZES = {
    "A128GCM": (16, 12, 16),
    "A192GCM": (24, 12, 16),
    "A256GCM": (32, 12, 16),
    "A128CBC-HS256": (32, 16, 16),
    "A192CBC-HS384": (48, 16, 24),
    "A256CBC-HS512": (64, 16, 32),
}


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def compact(header: dict, encrypted_key=b"", iv=b"\0" * 12, ciphertext=b"x", tag=b"\0" * 16):
    parts = [json.dumps(header).encode(), encrypted_key, iv, ciphertext, tag]
    return ".".join(b64u(part) for part in parts)


@pytest.fixture(scope="module")
def rsa_token(rsa_key) -> str:
    return jwe_steps.encrypt(
        b"hello", rsa_key.public_key(), alg="RSA-OAEP-256", enc="A256GCM"
    ).token


def test_a_valid_token_shows_its_anatomy(rsa_token, rsa_key):
    result = inspect_token(rsa_token)
    assert isinstance(result, Inspection) and result.well_formed and result.findings == ()
    assert result.serialization == "compact"
    assert [(p.name, p.bytes) for p in result.parts] == [
        ("protected header", len(json.dumps(result.header, separators=(",", ":")))),
        ("encrypted key", 256),
        ("iv", 12),
        ("ciphertext", 5),
        ("tag", 16),
    ]
    assert [p.characters for p in result.parts] == [len(p) for p in rsa_token.split(".")]
    assert result.header == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": rsa_key.kid}
    implied = {i.subject: i for i in result.implications}
    assert "2048 bits" in implied["encrypted key"].message
    assert implied["iv"].status == implied["tag"].status == "ok"
    document = result.to_dict()
    assert json.loads(json.dumps(document)) == document and document["well_formed"] is True


@pytest.mark.parametrize("bits", [3072, 4096])
def test_the_encrypted_key_length_tells_the_rsa_modulus_size(bits):
    key = jwe_steps.generate_key("RSA", size=bits)
    token = jwe_steps.encrypt(b"x", key.public_key(), alg="RSA-OAEP", enc="A128GCM").token
    implied = {i.subject: i for i in inspect_token(token).implications}
    assert f"{bits} bits" in implied["encrypted key"].message


@pytest.mark.parametrize("enc", sorted(ENC_SIZES))
def test_iv_and_tag_sizes_are_checked_against_enc(enc):
    _, iv_size, tag_size = ENC_SIZES[enc]
    good = compact(
        {"alg": "dir", "enc": enc}, iv=b"\1" * iv_size, ciphertext=b"\2" * 16, tag=b"\3" * tag_size
    )
    assert inspect_token(good).well_formed, inspect_token(good).findings
    short_iv = compact(
        {"alg": "dir", "enc": enc},
        iv=b"\1" * (iv_size - 1),
        ciphertext=b"\2" * 16,
        tag=b"\3" * tag_size,
    )
    assert inspect_token(short_iv).codes == ["iv.length"]
    long_tag = compact(
        {"alg": "dir", "enc": enc},
        iv=b"\1" * iv_size,
        ciphertext=b"\2" * 16,
        tag=b"\3" * (tag_size + 1),
    )
    assert inspect_token(long_tag).codes == ["tag.length"]


def test_cbc_ciphertext_must_be_whole_blocks():
    token = compact({"alg": "dir", "enc": "A128CBC-HS256"}, iv=b"\1" * 16, ciphertext=b"\2" * 17)
    assert inspect_token(token).codes == ["inspect.ciphertext_length"]


@pytest.mark.parametrize(
    ("alg", "enc", "length", "codes"),
    [
        ("A128KW", "A128GCM", 24, []),  # 16-byte CEK + 8 (RFC 3394)
        ("A256KW", "A256CBC-HS512", 72, []),
        ("A128KW", "A256GCM", 24, ["key_management.encrypted_key_length"]),
        ("dir", "A256GCM", 32, ["key_management.encrypted_key_not_empty"]),
        ("RSA-OAEP-256", "A256GCM", 128, ["key.size"]),
        ("RSA1_5", "A128GCM", 256, ["algorithm.not_allowed"]),
    ],
)
def test_the_encrypted_key_length_fits_alg_and_enc(alg, enc, length, codes):
    _, iv_size, tag_size = ENC_SIZES[enc]
    token = compact(
        {"alg": alg, "enc": enc},
        encrypted_key=b"\7" * length,
        iv=b"\1" * iv_size,
        ciphertext=b"\2" * 16,
        tag=b"\3" * tag_size,
    )
    assert inspect_token(token).codes == codes


def test_algorithm_parameters_in_the_header():
    base = {"enc": "A128GCM"}
    gcmkw = compact({**base, "alg": "A128GCMKW", "iv": b64u(b"\0" * 12)}, encrypted_key=b"k" * 16)
    assert inspect_token(gcmkw).codes == ["header.param_missing"]  # no 'tag'
    epk_text = compact({**base, "alg": "ECDH-ES", "epk": '{"kty":"EC"}'})
    assert inspect_token(epk_text).codes == ["header.epk_string"]  # Crypt::JWT's string epk
    pbes2 = compact(
        {**base, "alg": "PBES2-HS256+A128KW", "p2s": "AAAAAAAAAAA", "p2c": 10**7},
        encrypted_key=b"k" * 24,
    )
    assert inspect_token(pbes2).codes == ["limits.exceeded"]
    assert inspect_token(compact({"enc": "A128GCM"})).codes == ["header.missing_member"]
    assert inspect_token(compact({"alg": "rsa-oaep", "enc": "A128GCM"})).codes == [
        "header.unsupported_alg"
    ]
    assert inspect_token(compact({"alg": "dir", "enc": "A128GCM", "zip": "GZIP"})).codes == [
        "header.zip"
    ]


@pytest.mark.parametrize(
    ("mangle", "codes"),
    [
        (lambda t: t + "\n", ["format.whitespace"]),
        (lambda t: t + "\r\n", ["format.whitespace"]),
        (lambda t: " " + t, ["format.whitespace"]),
        (lambda t: t[:50] + "\n" + t[50:], ["format.whitespace"]),
        (lambda t: json.dumps(t), ["format.quoted"]),
        (lambda t: t.replace("-", "+").replace("_", "/"), ["base64url.alphabet"]),
        (lambda t: t.split(".")[0] + "==." + ".".join(t.split(".")[1:]), ["base64url.padding"]),
        (lambda t: ".".join(t.split(".")[:3]), ["format.segments"]),
        (lambda t: "." + t, ["format.segments"]),
        (lambda t: t[:-1], ["base64url.length"]),
    ],
    ids=[
        "LF",
        "CRLF",
        "leading",
        "wrapped",
        "quoted",
        "alphabet",
        "padding",
        "3-parts",
        "6-parts",
        "cut",
    ],
)
def test_encoding_findings(mangle, codes):
    # A token whose parts use '-' and '_' somewhere, so the alphabet case changes something.
    token = ""
    while "-" not in token or "_" not in token:
        token = jwe_steps.encrypt(b"x" * 40, OCT256, alg="dir", enc="A256GCM").token
    result = inspect_token(mangle(token))
    assert set(result.codes) == set(codes)  # once for each part it concerns
    # A final line break (a file's, echo's) is a warning; everything else here is an error.
    final_line_break = mangle(token) in (token + "\n", token + "\r\n")
    assert {f.severity for f in result.findings} == {"warning" if final_line_break else "error"}
    assert result.well_formed is final_line_break


def test_json_serializations(rsa_key):
    general = jwe_steps.encrypt(
        b"x", rsa_key.public_key(), alg="RSA-OAEP-256", enc="A128GCM", serialization="general"
    ).token
    text = general if isinstance(general, str) else json.dumps(general)
    result = inspect_token(text)
    assert result.serialization == "general" and result.well_formed, result.findings
    assert result.recipients[0]["encrypted_key_bytes"] == 256
    flattened = jwe_steps.encrypt(
        b"x", OCT256, alg="dir", enc="A256GCM", serialization="flattened"
    ).token
    text = flattened if isinstance(flattened, str) else json.dumps(flattened)
    result = inspect_token(text.encode())
    assert result.serialization == "flattened" and result.well_formed
    assert [f.code for f in result.findings] == ["format.json_serialization"]
    assert inspect_token('{"protected":1}').codes[0] == "format.json_member_type"
    assert inspect_token('{"a":1,"a":2}').codes == ["json.duplicate_member"]


def test_input_that_is_not_text():
    assert inspect_token(b"\xff\xfe\x00").codes[0] == "format.not_utf8"
    assert inspect_token("").codes == ["format.empty"]
    assert inspect_token(12).codes == ["format.type"]  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_never_a_traceback_for_random_bytes(data):
    result = inspect_token(data)
    assert all(code in CODES for code in result.codes)
    json.loads(result.to_json())
    result.text()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.text(alphabet='AQZaz09-_+/= \n"{}.', max_size=30),
            st.sampled_from(
                [
                    b64u(b'{"alg":"dir","enc":"A128GCM"}'),
                    b64u(b'{"alg":1}'),
                    b64u(b"[]"),
                    b64u(b'{"alg":"A128KW","enc":"A999"}'),
                    "",
                ]
            ),
        ),
        min_size=1,
        max_size=7,
    )
)
def test_never_a_traceback_for_token_like_text(pieces):
    for joined in (".".join(pieces), "".join(pieces)):
        result = inspect_token(joined)
        assert all(code in CODES for code in result.codes)
        json.loads(result.to_json())
        result.text()


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "protected",
                        "recipients",
                        "iv",
                        "tag",
                        "ciphertext",
                        "encrypted_key",
                        "header",
                        "unprotected",
                        "aad",
                        "alg",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=12,
    )
)
def test_never_a_traceback_for_json_shaped_input(document):
    result = inspect_token(json.dumps(document if isinstance(document, dict) else {"x": document}))
    json.loads(result.to_json())
    result.text()


def test_a_huge_input_is_reported_not_read():
    from jwe_steps.limits import DEFAULT_LIMITS

    result = inspect_token("A" * (DEFAULT_LIMITS.max_token_bytes + 1))
    assert result.codes == ["limits.token_size"] and result.parts == ()
