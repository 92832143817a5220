"""explain(): every diagnosis code is produced by its mistake, and never by a valid token.

Each broken token is built the way a mis-implemented peer builds it: with pyca/cryptography
directly (RSA-OAEP, AESGCM, the base64 module), never with jwe_steps' own encrypt. The test
asserts the exact set of codes, so a hypothesis that fires where it should not fails here too.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import jwe_steps
from jwe_steps import Explanation, explain
from jwe_steps.diagnose import FINDING_CODES as CODES

# Generated once per module: 2048-bit key generation is slow. DEMO keys, for tests only.
RECIPIENT = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC = RECIPIENT.public_key()
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SMALL_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=1024)
KEY = jwe_steps.load_key(RECIPIENT)
PLAINTEXT = b'{"demo":"a test message"}'
HEADER = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
AS_SENT: Any = object()  # the AAD a correct sender uses: the header part as sent


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_padded(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def b64_standard(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64_standard_unpadded(data: bytes) -> str:
    return base64.b64encode(data).rstrip(b"=").decode("ascii")


def compact_json(header: dict[str, Any]) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode("utf-8")


def oaep(algorithm: Any = hashes.SHA256, mgf: Any = None) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1((mgf or algorithm)()), algorithm=algorithm(), label=None)


@dataclass
class Sent:
    """What a sending peer produced: the header part as text, the other parts as bytes."""

    header: str
    encrypted_key: bytes
    iv: bytes
    ciphertext: bytes
    tag: bytes
    cek: bytes

    def compact(self, encode: Any = b64u) -> str:
        parts = (self.encrypted_key, self.iv, self.ciphertext, self.tag)
        return ".".join([self.header, *(encode(p) for p in parts)])


def send(
    header: dict[str, Any] | None = None,
    *,
    header_json: bytes | None = None,
    encode_header: Any = b64u,
    public: Any = PUBLIC,
    pad: padding.AsymmetricPadding | None = None,
    cek: bytes | None = None,
    wrapped: bytes | None = None,
    iv: bytes | None = None,
    aad: Any = AS_SENT,
    plaintext: bytes = PLAINTEXT,
) -> Sent:
    """A peer's RSA + AES-GCM sender; each argument is a place it can go wrong.

    ``wrapped`` is what gets RSA-encrypted (default: the CEK itself).
    """
    header_json = compact_json(header or HEADER) if header_json is None else header_json
    encoded_header = encode_header(header_json)
    cek = os.urandom(32) if cek is None else cek
    encrypted_key = public.encrypt(cek if wrapped is None else wrapped, pad or oaep())
    iv = os.urandom(12) if iv is None else iv
    sealed = AESGCM(cek).encrypt(iv, plaintext, encoded_header.encode() if aad is AS_SENT else aad)
    return Sent(encoded_header, encrypted_key, iv, sealed[:-16], sealed[-16:], cek)


def run(token: Any, key: Any = KEY, **kwargs: Any) -> Explanation:
    report = explain(token, key, **kwargs)
    assert all(f.code in CODES for f in report.diagnosis)
    return report


def codes(token: Any, key: Any = KEY, **kwargs: Any) -> set[str]:
    """The diagnosis codes for a token that must fail."""
    report = run(token, key, **kwargs)
    assert not report.ok, "the broken token decrypted"
    return {f.code for f in report.diagnosis}


def finding(token: Any, code: str, key: Any = KEY, **kwargs: Any) -> str:
    """The message of the one finding with ``code``."""
    messages = [f.message for f in run(token, key, **kwargs).diagnosis if f.code == code]
    assert len(messages) == 1, messages
    return messages[0]


def with_kid(private: rsa.RSAPrivateKey, kid: str, **members: Any) -> dict[str, Any]:
    jwk = jwe_steps.load_key(private).to_jwk(private=True)
    return {**jwk, "kid": kid, **members}


# ---------------------------------------------------------------- valid tokens: no diagnosis


@pytest.mark.parametrize(
    "token_factory",
    [
        lambda: send().compact(),
        lambda: send(
            {"alg": "RSA-OAEP", "enc": "A128GCM"}, pad=oaep(hashes.SHA1), cek=os.urandom(16)
        ).compact(),
        lambda: send(
            {"alg": "RSA-OAEP-512", "enc": "A256GCM", "kid": "demo-1"}, pad=oaep(hashes.SHA512)
        ).compact(),
        lambda: jwe_steps.encrypt(PLAINTEXT, PUBLIC, alg="RSA-OAEP-256", enc="A256GCM").token,
        lambda: jwe_steps.encrypt(PLAINTEXT, PUBLIC, alg="RSA-OAEP", enc="A128CBC-HS256").token,
        lambda: (
            jwe_steps.encrypt(
                PLAINTEXT, PUBLIC, alg="RSA-OAEP-256", enc="A192GCM", serialization="flattened"
            ).token
        ),
    ],
    ids=["peer", "peer-rsa-oaep-a128gcm", "peer-oaep-512", "encrypt", "encrypt-cbc", "flattened"],
)
def test_a_valid_token_is_reported_clean(token_factory: Any) -> None:
    token = token_factory()
    report = run(token)
    assert report.ok and report.failed_stage is None and report.error is None
    # A JSON token decrypts, with one note: a compact-only recipient would refuse it.
    notes = (
        [] if isinstance(token, str) and token.count(".") == 4 else ["format.json_serialization"]
    )
    assert [f.code for f in report.diagnosis] == notes
    assert [f["code"] for f in report.to_dict()["diagnosis"]] == notes
    assert report.trace.plaintext == PLAINTEXT


def test_a_valid_token_with_another_kid_is_still_clean() -> None:
    """A kid that differs from the key's is harmless when the key decrypts: no finding."""
    token = send({**HEADER, "kid": "someone-else"}).compact()
    report = run(token, with_kid(RECIPIENT, "mine"))
    assert report.ok and report.diagnosis == []


def test_a_valid_dir_token_is_clean() -> None:
    secret = os.urandom(16)
    token = jwe_steps.encrypt(
        PLAINTEXT, {"kty": "oct", "k": b64u(secret)}, alg="dir", enc="A128GCM"
    ).token
    report = run(token, {"kty": "oct", "k": b64u(secret)})
    assert report.ok and report.diagnosis == []


# ---------------------------------------------------------------- format.segments


def test_three_parts_is_a_jws() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    assert codes(token) == {"format.segments"}
    assert "JWS" in finding(token, "format.segments")


def test_a_trailing_dot_is_named_and_the_rest_decrypts() -> None:
    token = send().compact() + "."
    assert codes(token) == {"format.segments"}
    assert "decrypts" in finding(token, "format.segments")


def test_a_leading_dot() -> None:
    assert codes("." + send().compact()) == {"format.segments"}


def test_four_parts_with_the_tag_inside_the_ciphertext() -> None:
    sent = send()
    token = ".".join(
        [sent.header, b64u(sent.encrypted_key), b64u(sent.iv), b64u(sent.ciphertext + sent.tag)]
    )
    assert codes(token) == {"format.segments", "tag.appended_to_ciphertext"}


def test_an_empty_header_part() -> None:
    sent = send()
    token = "." + sent.compact().split(".", 1)[1]
    assert codes(token) == {"format.segments"}


# ---------------------------------------------------------------- base64url.*


def test_padded_base64url() -> None:
    token = send().compact(b64u_padded)  # the 16-byte tag alone always needs '=='
    assert codes(token) == {"base64url.padding"}
    assert "decrypts" in finding(token, "base64url.padding")


def test_padding_on_the_tag_only() -> None:
    sent = send()
    token = sent.compact() + "=="
    assert codes(token) == {"base64url.padding"}
    assert finding(token, "base64url.padding").startswith("The tag part carries")


def test_padded_header_whose_aad_was_the_padded_text() -> None:
    """The sender padded the header part and authenticated it as sent: still just padding."""
    header = {**HEADER, "kid": "k1"}  # 51 bytes of JSON: not a multiple of 3, so '=' appears
    assert len(compact_json(header)) % 3
    token = send(header, encode_header=b64u_padded).compact()
    assert codes(token) == {"base64url.padding"}


def test_standard_base64_with_padding() -> None:
    token = send().compact(b64_standard)
    assert codes(token) == {"base64url.padding", "base64url.alphabet"}


def test_standard_base64_without_padding() -> None:
    sent = send()
    token = sent.compact(b64_standard_unpadded)
    assert "+" in token or "/" in token  # a 256-byte encrypted key has them (p ≈ 1 - 2e-5)
    assert codes(token) == {"base64url.alphabet"}
    assert "decrypts" in finding(token, "base64url.alphabet")


def test_standard_alphabet_in_the_header_part_only() -> None:
    # '?>' encodes to 'Pz4' in base64url and 'Pz4' too; '>>>' gives 'Pj4+' (standard) / 'Pj4-'.
    header = {**HEADER, "kid": ">>>"}
    sent = send(header, encode_header=b64_standard_unpadded)
    assert "+" in sent.header
    assert codes(sent.compact()) == {"base64url.alphabet"}


def _set_unused_bits(text: str) -> str:
    """Flip the lowest bit of the last character: same bytes, non-canonical spelling."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(text) % 4 in (2, 3)
    return text[:-1] + alphabet[alphabet.index(text[-1]) | 1]


@pytest.mark.parametrize("index", [1, 4], ids=["encrypted-key", "tag"])
def test_noncanonical_last_character(index: int) -> None:
    parts = send().compact().split(".")
    parts[index] = _set_unused_bits(parts[index])
    token = ".".join(parts)
    assert codes(token) == {"base64url.noncanonical"}


def test_noncanonical_header_part_authenticated_as_sent() -> None:
    header = {**HEADER, "kid": "k1"}
    text = _set_unused_bits(b64u(compact_json(header)))
    sent = send(header, encode_header=lambda _: text)
    assert codes(sent.compact()) == {"base64url.noncanonical"}


# ---------------------------------------------------------------- header.json


@pytest.mark.parametrize(
    "header_json, words",
    [
        (str(HEADER).encode(), "Python dict"),
        (b"\xef\xbb\xbf" + compact_json(HEADER), "byte order mark"),
        (b'{"alg":"RSA-OAEP-256","enc":"A256GCM","alg":"RSA-OAEP-256"}', "repeats"),
        (json.dumps(json.dumps(HEADER)).encode(), "twice"),
        ('{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"schlüssel"}'.encode("latin-1"), "Latin-1"),
        (b'{"alg":"RSA-OAEP-256","enc":"A256GCM",}', "trailing comma"),
        (b'{"alg":"RSA-OAEP-256" "enc":"A256GCM"}', "not valid JSON"),
        (b'["RSA-OAEP-256","A256GCM"]', "not an object"),
    ],
    ids=[
        "python-repr",
        "bom",
        "duplicate",
        "double-encoded",
        "latin-1",
        "trailing-comma",
        "missing-comma",
        "array",
    ],
)
def test_header_json(header_json: bytes, words: str) -> None:
    token = send(header_json=header_json).compact()
    assert codes(token) == {"header.json"}
    assert words in finding(token, "header.json")


# ---------------------------------------------------------------- header.unsupported_alg / _enc


@pytest.mark.parametrize(
    "alg, pad, expected",
    [
        (
            "http://www.w3.org/2009/xmlenc11#rsa-oaep",
            oaep(hashes.SHA256),
            {"header.unsupported_alg"},
        ),
        (
            "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
            oaep(hashes.SHA1),
            {"header.unsupported_alg"},
        ),
        ("rsa-oaep-256", oaep(hashes.SHA256), {"header.unsupported_alg"}),
        ("RSA_OAEP_SHA256", oaep(hashes.SHA256), {"header.unsupported_alg"}),
        (
            "RSA/ECB/OAEPWithSHA-256AndMGF1Padding",
            oaep(hashes.SHA256, hashes.SHA1),
            {"header.unsupported_alg", "oaep.mgf1_sha1"},
        ),
    ],
    ids=["xmlenc11", "xmlenc-mgf1p", "lower-case", "underscores", "java-default-mgf1"],
)
def test_unsupported_alg_that_looks_like_a_jose_name(
    alg: str, pad: Any, expected: set[str]
) -> None:
    token = send({"alg": alg, "enc": "A256GCM"}, pad=pad).compact()
    assert codes(token) == expected
    message = finding(token, "header.unsupported_alg")
    assert "decrypts" in message
    if alg.startswith("http"):
        assert "XML Encryption" in message


def test_unknown_alg_with_no_lookalike() -> None:
    token = send({"alg": "FANCY-KEM", "enc": "A256GCM"}).compact()
    assert codes(token) == {"header.unsupported_alg"}
    assert "RSA-OAEP-256" in run(token).diagnosis[0].fix


def test_rsa1_5_refused_by_default() -> None:
    token = send({"alg": "RSA1_5", "enc": "A256GCM"}, pad=padding.PKCS1v15()).compact()
    assert codes(token) == {"header.unsupported_alg"}
    assert "allow-list" in finding(token, "header.unsupported_alg")
    assert run(token, algorithms=["RSA1_5", "A256GCM"]).ok


def test_alg_and_enc_swapped() -> None:
    token = send({"alg": "A256GCM", "enc": "RSA-OAEP-256"}).compact()
    assert codes(token) == {"header.unsupported_alg", "header.unsupported_enc"}
    assert "swapped" in finding(token, "header.unsupported_enc")


@pytest.mark.parametrize(
    "enc, size",
    [
        ("AES-256-GCM", 32),
        ("a128gcm", 16),
        ("http://www.w3.org/2009/xmlenc11#aes192-gcm", 24),
        ("AES/GCM/NoPadding", 16),
    ],
    ids=["openssl-name", "lower-case", "xmlenc11", "java"],
)
def test_unsupported_enc_that_looks_like_a_jose_name(enc: str, size: int) -> None:
    token = send({"alg": "RSA-OAEP-256", "enc": enc}, cek=os.urandom(size)).compact()
    assert codes(token) == {"header.unsupported_enc"}
    assert "decrypts" in finding(token, "header.unsupported_enc")


def test_unknown_enc() -> None:
    assert codes(send({"alg": "RSA-OAEP-256", "enc": "XSALSA20"}).compact()) == {
        "header.unsupported_enc"
    }


# ---------------------------------------------------------------- key.type


def test_an_ec_key_for_an_rsa_token() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    assert codes(send().compact(), ec_key) == {"key.type"}


def test_the_public_key_instead_of_the_private_key() -> None:
    token = send().compact()
    assert codes(token, PUBLIC) == {"key.type"}
    assert "public" in finding(token, "key.type", PUBLIC)


def test_a_symmetric_key_for_an_rsa_token() -> None:
    assert codes(send().compact(), {"kty": "oct", "k": b64u(os.urandom(32))}) == {"key.type"}


def test_a_dir_key_of_the_wrong_size() -> None:
    secret = os.urandom(16)
    token = jwe_steps.encrypt(
        PLAINTEXT, {"kty": "oct", "k": b64u(secret)}, alg="dir", enc="A128GCM"
    ).token
    assert codes(token, {"kty": "oct", "k": b64u(os.urandom(32))}) == {"key.type"}


def test_a_jwk_bound_to_another_alg_that_the_sender_did_use() -> None:
    """The JWK says RSA-OAEP-256; the sender really used RSA-OAEP (SHA-1) and said so."""
    token = send({"alg": "RSA-OAEP", "enc": "A256GCM"}, pad=oaep(hashes.SHA1)).compact()
    key = with_kid(RECIPIENT, "bound", alg="RSA-OAEP-256")
    assert codes(token, key) == {"key.type"}
    assert "'RSA-OAEP-256'" in finding(token, "key.type", key)


def test_a_signing_key() -> None:
    assert codes(send().compact(), with_kid(RECIPIENT, "sig", use="sig")) == {"key.type"}


def test_a_jwk_bound_to_the_alg_the_sender_really_used_is_a_hash_mismatch() -> None:
    """The header says RSA-OAEP but the CEK is OAEP-SHA-256, as the JWK's alg says: the
    header is wrong, not the key."""
    token = send({"alg": "RSA-OAEP", "enc": "A256GCM"}, pad=oaep(hashes.SHA256)).compact()
    assert codes(token, with_kid(RECIPIENT, "bound", alg="RSA-OAEP-256")) == {"oaep.hash_mismatch"}


# ---------------------------------------------------------------- key.mismatch and kid.mismatch


def test_encrypted_to_another_key() -> None:
    token = send(public=OTHER.public_key()).compact()
    assert codes(token) == {"key.mismatch"}
    assert "different public key" in finding(token, "key.mismatch")


def test_encrypted_to_another_key_with_rsa_oaep() -> None:
    token = send(
        {"alg": "RSA-OAEP", "enc": "A128GCM"},
        public=OTHER.public_key(),
        pad=oaep(hashes.SHA1),
        cek=os.urandom(16),
    ).compact()
    assert codes(token) == {"key.mismatch"}


def test_encrypted_to_a_key_of_another_size() -> None:
    token = send(public=SMALL_OTHER.public_key()).compact()
    assert codes(token) == {"key.mismatch"}
    assert "1024-bit" in finding(token, "key.mismatch")


def test_another_key_and_another_kid() -> None:
    token = send({**HEADER, "kid": "theirs"}, public=OTHER.public_key()).compact()
    assert codes(token, with_kid(RECIPIENT, "mine")) == {"key.mismatch", "kid.mismatch"}


def test_a_key_set_whose_named_key_is_not_the_one_used() -> None:
    token = send({**HEADER, "kid": "a"}, public=OTHER.public_key()).compact()
    key_set = {"keys": [with_kid(RECIPIENT, "a")]}
    assert codes(token, key_set) == {"key.mismatch"}


def test_a_kid_that_matches_no_key_but_a_key_of_the_set_works() -> None:
    token = send({**HEADER, "kid": "rotated-away"}).compact()
    key_set = {"keys": [with_kid(OTHER, "a"), with_kid(RECIPIENT, "b")]}
    assert codes(token, key_set) == {"kid.mismatch"}
    assert "'b'" in finding(token, "kid.mismatch", key_set)


def test_a_kid_that_names_the_wrong_key_of_the_set() -> None:
    token = send({**HEADER, "kid": "a"}).compact()
    key_set = {"keys": [with_kid(OTHER, "a"), with_kid(RECIPIENT, "b")]}
    assert codes(token, key_set) == {"kid.mismatch"}


def test_no_kid_and_a_key_set_of_two() -> None:
    token = send().compact()
    key_set = {"keys": [with_kid(OTHER, "a"), with_kid(RECIPIENT, "b")]}
    assert codes(token, key_set) == {"kid.mismatch"}


def test_a_kid_that_matches_nothing_and_no_key_works() -> None:
    token = send({**HEADER, "kid": "x"}, public=SMALL_OTHER.public_key()).compact()
    key_set = {"keys": [with_kid(OTHER, "a"), with_kid(RECIPIENT, "b")]}
    assert codes(token, key_set) == {"kid.mismatch", "key.mismatch"}


# ---------------------------------------------------------------- oaep.*


@pytest.mark.parametrize(
    "alg, used, expected_alg",
    [
        ("RSA-OAEP-256", hashes.SHA1, "RSA-OAEP"),
        ("RSA-OAEP", hashes.SHA256, "RSA-OAEP-256"),
        ("RSA-OAEP-256", hashes.SHA512, "RSA-OAEP-512"),
        ("RSA-OAEP-384", hashes.SHA256, "RSA-OAEP-256"),
    ],
    ids=[
        "256-said-sha1-used",
        "oaep-said-sha256-used",
        "256-said-sha512-used",
        "384-said-256-used",
    ],
)
def test_oaep_hash_mismatch(alg: str, used: Any, expected_alg: str) -> None:
    token = send({"alg": alg, "enc": "A256GCM"}, pad=oaep(used)).compact()
    assert codes(token) == {"oaep.hash_mismatch"}
    assert repr(expected_alg) in run(token).diagnosis[0].fix


@pytest.mark.parametrize(
    "alg, used, expected",
    [
        ("RSA-OAEP-256", hashes.SHA256, {"oaep.mgf1_sha1"}),
        ("RSA-OAEP-512", hashes.SHA512, {"oaep.mgf1_sha1"}),
        ("RSA-OAEP", hashes.SHA256, {"oaep.mgf1_sha1", "oaep.hash_mismatch"}),
    ],
    ids=["256", "512", "with-hash-mismatch"],
)
def test_oaep_with_mgf1_sha1(alg: str, used: Any, expected: set[str]) -> None:
    token = send({"alg": alg, "enc": "A256GCM"}, pad=oaep(used, hashes.SHA1)).compact()
    assert codes(token) == expected


def test_a_hash_mismatch_and_a_broken_content_reports_both() -> None:
    """The CEK opens with SHA-1 (proven), and then the tag was tampered with."""
    sent = send(pad=oaep(hashes.SHA1))
    token = replace(sent, tag=bytes(16)).compact()
    assert codes(token) == {"oaep.hash_mismatch", "tag.mismatch"}


# ---------------------------------------------------------------- cek.length


def test_a_hex_encoded_cek() -> None:
    cek = os.urandom(32)
    token = send(cek=cek, wrapped=cek.hex().encode()).compact()
    assert codes(token) == {"cek.length"}
    assert "hex" in finding(token, "cek.length")


def test_a_base64_encoded_cek() -> None:
    cek = os.urandom(16)
    token = send(
        {"alg": "RSA-OAEP-256", "enc": "A128GCM"}, cek=cek, wrapped=base64.b64encode(cek)
    ).compact()
    assert codes(token) == {"cek.length"}


def test_a_cek_for_another_enc() -> None:
    """The sender generated a 16-byte key, used AES-128-GCM, and wrote A256GCM."""
    token = send(cek=os.urandom(16)).compact()
    assert codes(token) == {"cek.length"}
    assert "A128GCM" in finding(token, "cek.length")


def test_a_cek_of_no_fitting_size() -> None:
    cek = os.urandom(32)
    token = send(cek=cek, wrapped=cek + b"\x00").compact()
    assert codes(token) == {"cek.length"}
    assert "33 bytes" in finding(token, "cek.length")


# ---------------------------------------------------------------- iv.length


def test_a_16_byte_iv() -> None:
    token = send(iv=os.urandom(16)).compact()
    assert codes(token) == {"iv.length"}
    assert "16 bytes" in finding(token, "iv.length")


def test_a_hex_encoded_iv() -> None:
    sent = send()
    token = replace(sent, iv=sent.iv.hex().encode()).compact()
    assert codes(token) == {"iv.length"}
    assert "hex" in finding(token, "iv.length")


@pytest.mark.parametrize("size", [0, 4], ids=["empty", "4-bytes"])
def test_an_iv_too_short_for_gcm(size: int) -> None:
    sent = send()
    token = replace(sent, iv=sent.iv[:size]).compact()
    assert codes(token) == {"iv.length"}


# ---------------------------------------------------------------- tag.length


@pytest.mark.parametrize("size", [12, 15], ids=["96-bit", "120-bit"])
def test_a_truncated_gcm_tag(size: int) -> None:
    sent = send()
    token = replace(sent, tag=sent.tag[:size]).compact()
    assert codes(token) == {"tag.length"}
    assert "truncated" in finding(token, "tag.length")


def test_a_hex_encoded_tag() -> None:
    sent = send()
    token = replace(sent, tag=sent.tag.hex().encode()).compact()
    assert codes(token) == {"tag.length"}


def test_a_tag_with_extra_bytes() -> None:
    sent = send()
    token = replace(sent, tag=sent.tag + os.urandom(16)).compact()
    assert codes(token) == {"tag.length"}


def test_an_empty_tag_and_nothing_to_take_it_from() -> None:
    sent = send(plaintext=b"")
    token = replace(sent, ciphertext=b"", tag=b"").compact()
    assert codes(token) == {"tag.length"}


def test_a_tag_of_the_wrong_size_that_does_not_verify() -> None:
    sent = send()
    token = replace(sent, tag=bytes(20)).compact()
    assert codes(token) == {"tag.length"}


# ---------------------------------------------------------------- tag.appended_to_ciphertext


def test_ciphertext_and_tag_in_one_part() -> None:
    sent = send()
    token = replace(sent, ciphertext=sent.ciphertext + sent.tag, tag=b"").compact()
    assert codes(token) == {"tag.appended_to_ciphertext"}


def test_the_tag_in_both_parts() -> None:
    sent = send()
    token = replace(sent, ciphertext=sent.ciphertext + sent.tag).compact()
    assert codes(token) == {"tag.appended_to_ciphertext"}


def test_an_empty_plaintext_whose_ciphertext_is_the_tag() -> None:
    sent = send(plaintext=b"")
    token = replace(sent, ciphertext=sent.tag, tag=b"").compact()
    assert codes(token) == {"tag.appended_to_ciphertext"}


def test_the_naive_aesgcm_peer() -> None:
    """AESGCM(cek).encrypt(iv, plaintext, None), all of it as the ciphertext: two mistakes."""
    sent = send(aad=None)
    token = replace(sent, ciphertext=sent.ciphertext + sent.tag, tag=b"").compact()
    assert codes(token) == {"tag.appended_to_ciphertext", "aad.missing"}


# ---------------------------------------------------------------- aad.*


@pytest.mark.parametrize("aad", [None, b""], ids=["None", "empty-bytes"])
def test_aad_missing(aad: bytes | None) -> None:
    assert codes(send(aad=aad).compact()) == {"aad.missing"}


def test_aad_missing_with_rsa_oaep_and_a128gcm() -> None:
    token = send(
        {"alg": "RSA-OAEP", "enc": "A128GCM"}, pad=oaep(hashes.SHA1), cek=os.urandom(16), aad=b""
    ).compact()
    assert codes(token) == {"aad.missing"}


def _aad_of(text: bytes) -> bytes:
    return b64u(text).encode("ascii")


HEADER_WITH_KID = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "schlüssel-1"}


@pytest.mark.parametrize(
    "sent_json, aad, words",
    [
        # The token carries compact JSON; the sender's AAD used json.dumps defaults.
        (compact_json(HEADER), _aad_of(json.dumps(HEADER).encode()), "spaces"),
        # The AAD came from a sorted-keys serialization.
        (
            json.dumps({"enc": "A256GCM", "alg": "RSA-OAEP-256"}, separators=(",", ":")).encode(),
            _aad_of(
                json.dumps(
                    {"alg": "RSA-OAEP-256", "enc": "A256GCM"}, separators=(",", ":")
                ).encode()
            ),
            "sorted",
        ),
        # A gateway re-serialized the header with spaces after the sender authenticated it.
        (json.dumps(HEADER).encode(), _aad_of(compact_json(HEADER)), "no spaces"),
        # The token has UTF-8; the sender's AAD escaped the non-ASCII character.
        (
            json.dumps(HEADER_WITH_KID, separators=(",", ":"), ensure_ascii=False).encode(),
            _aad_of(json.dumps(HEADER_WITH_KID, separators=(",", ":")).encode()),
            "\\u escapes",
        ),
        # The sender used the header JSON itself as AAD.
        (compact_json(HEADER), compact_json(HEADER), "JSON itself"),
        # The sender authenticated the padded base64url of the header.
        (
            compact_json({**HEADER, "kid": "k1"}),
            b64u_padded(compact_json({**HEADER, "kid": "k1"})).encode(),
            "padding",
        ),
    ],
    ids=["spaces", "sorted-keys", "gateway", "ascii-escapes", "raw-json", "padded"],
)
def test_aad_from_a_reserialized_header(sent_json: bytes, aad: bytes, words: str) -> None:
    token = send(header_json=sent_json, aad=aad).compact()
    assert codes(token) == {"aad.reserialized_header"}
    assert words in finding(token, "aad.reserialized_header")


# ---------------------------------------------------------------- tag.mismatch


def _flip(data: bytes, index: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ 1]) + data[index + 1 :]


@pytest.mark.parametrize("part", ["ciphertext", "iv", "tag"])
def test_an_altered_part(part: str) -> None:
    sent = send()
    token = replace(sent, **{part: _flip(getattr(sent, part))}).compact()
    assert codes(token) == {"tag.mismatch"}


def test_the_ciphertext_of_another_message() -> None:
    sent = send()
    other = AESGCM(sent.cek).encrypt(sent.iv, b"another message!!!!!!!!!", sent.header.encode())
    token = replace(sent, ciphertext=other[:-16]).compact()
    assert codes(token) == {"tag.mismatch"}


def test_tag_mismatch_with_dir() -> None:
    secret = os.urandom(16)
    token = jwe_steps.encrypt(
        PLAINTEXT, {"kty": "oct", "k": b64u(secret)}, alg="dir", enc="A128GCM"
    ).token
    wrong = {"kty": "oct", "k": b64u(os.urandom(16))}
    assert codes(token, wrong) == {"tag.mismatch"}
    assert "dir" in finding(token, "tag.mismatch", wrong)


# ---------------------------------------------------------------- JSON serializations


def _flattened(sent: Sent, encode: Any = b64u, **extra: Any) -> dict[str, Any]:
    return {
        "protected": sent.header,
        "encrypted_key": encode(sent.encrypted_key),
        "iv": encode(sent.iv),
        "ciphertext": encode(sent.ciphertext),
        "tag": encode(sent.tag),
        **extra,
    }


def test_flattened_json_valid_is_clean() -> None:
    report = run(json.dumps(_flattened(send())))
    assert report.ok and [f.code for f in report.diagnosis] == ["format.json_serialization"]


def test_flattened_json_with_standard_base64() -> None:
    assert codes(_flattened(send(), b64_standard)) == {"base64url.padding", "base64url.alphabet"}


def test_flattened_json_with_an_sha1_oaep_key() -> None:
    assert codes(json.dumps(_flattened(send(pad=oaep(hashes.SHA1))))) == {"oaep.hash_mismatch"}


def test_flattened_json_with_the_tag_appended() -> None:
    sent = send()
    token = _flattened(replace(sent, ciphertext=sent.ciphertext + sent.tag, tag=b""))
    assert codes(token) == {"tag.appended_to_ciphertext"}


def test_flattened_json_whose_sender_left_the_aad_member_out() -> None:
    jwe_aad = b"order 42"
    sent = send()  # authenticated the header alone
    token = _flattened(sent, aad=b64u(jwe_aad))
    assert codes(token) == {"aad.missing"}


def test_general_json_with_a_kid_that_matches_no_key() -> None:
    sent = send()
    token = {
        "protected": sent.header,
        "recipients": [{"header": {"kid": "gone"}, "encrypted_key": b64u(sent.encrypted_key)}],
        "iv": b64u(sent.iv),
        "ciphertext": b64u(sent.ciphertext),
        "tag": b64u(sent.tag),
    }
    key_set = {"keys": [with_kid(OTHER, "a"), with_kid(RECIPIENT, "b")]}
    assert codes(token, key_set) == {"kid.mismatch"}


# ---------------------------------------------------------------- the report itself


def test_findings_carry_their_stage_and_a_fix() -> None:
    report = run(send(pad=oaep(hashes.SHA1)).compact())
    (item,) = report.to_dict()["diagnosis"]
    assert set(item) == {"code", "stage", "message", "fix"}
    assert item["stage"] == "key_management" and item["fix"]


def test_no_secret_in_the_diagnosis() -> None:
    sent = send(aad=None)
    report = run(replace(sent, ciphertext=sent.ciphertext + sent.tag, tag=b"").compact())
    text = json.dumps(report.to_dict()["diagnosis"])
    for secret in (sent.cek.hex(), b64u(sent.cek), PLAINTEXT.decode()):
        assert secret not in text


def test_hypotheses_leave_no_steps_in_the_trace() -> None:
    report = run(send(aad=None).compact())
    names = [step.name for step in report.steps]
    assert names.count("aad") == 1 and "plaintext" not in names


def test_decrypt_keeps_the_uniform_error() -> None:
    """decrypt() still answers a wrong OAEP hash and a tampered tag alike, at the tag."""
    stages = set()
    for token in (send(pad=oaep(hashes.SHA1)).compact(), replace(send(), tag=bytes(16)).compact()):
        with pytest.raises(jwe_steps.JWEError) as caught:
            jwe_steps.decrypt(token, KEY)
        stages.add(caught.value.stage)
    assert stages == {jwe_steps.Stage.CONTENT_DECRYPTION}


# ---------------------------------------------------------------- oaep.pkcs1v15 (beyond the list)


@pytest.mark.parametrize("alg", ["RSA-OAEP-256", "RSA-OAEP"])
def test_pkcs1_v15_padding_under_an_oaep_header(alg: str) -> None:
    """Java's Cipher.getInstance("RSA") pads with PKCS #1 v1.5: the key is right, the scheme not."""
    token = send({"alg": alg, "enc": "A256GCM"}, pad=padding.PKCS1v15()).compact()
    assert codes(token) == {"oaep.pkcs1v15"}


def test_oaep_under_an_allowed_rsa1_5_header() -> None:
    token = send({"alg": "RSA1_5", "enc": "A256GCM"}, pad=oaep(hashes.SHA256)).compact()
    report = run(token, algorithms=["RSA1_5", "A256GCM"])
    assert not report.ok and [f.code for f in report.diagnosis] == ["oaep.pkcs1v15"]
    assert "'RSA-OAEP-256'" in report.diagnosis[0].fix


def test_oaep_under_a_refused_rsa1_5_header() -> None:
    token = send({"alg": "RSA1_5", "enc": "A256GCM"}, pad=oaep(hashes.SHA1)).compact()
    assert codes(token) == {"header.unsupported_alg", "oaep.pkcs1v15"}


def test_rsa1_5_with_a_cek_for_another_enc() -> None:
    """Allowed RSA1_5, a 16-byte CEK under an A256GCM header: the CEK, not the key, is wrong."""
    token = send({"alg": "RSA1_5", "enc": "A256GCM"}, pad=padding.PKCS1v15(), cek=os.urandom(16))
    assert codes(token.compact(), algorithms=["RSA1_5", "A256GCM"]) == {"cek.length"}


# ---------------------------------------------------------------- issue 13: text around the token


def diagnosed(token: Any, key: Any = KEY, **kwargs: Any) -> Any:
    """The Diagnosis itself, to check that repairing the findings makes the token decrypt."""
    from jwe_steps.diagnose import diagnose
    from jwe_steps.pipeline import run_decryption
    from jwe_steps.trace import DecryptTrace

    trace = DecryptTrace()
    try:
        run_decryption(token, key, trace, reveal=True, **kwargs)
    except jwe_steps.JWEError as error:
        return diagnose(token, key, error, trace=trace, **kwargs)
    raise AssertionError("the token decrypts as it is")


@pytest.mark.parametrize("around", [("", "\n"), ("", "\r\n"), (" ", ""), ("", "\n\n")])
def test_whitespace_around_the_token(around: tuple[str, str]) -> None:
    from jwe_steps.server import classify

    token = around[0] + send().compact() + around[1]
    assert codes(token) == {"format.whitespace"}
    assert diagnosed(token).decrypts
    with pytest.raises(jwe_steps.JWEError) as raised:
        jwe_steps.decrypt(token, KEY)
    assert classify(raised.value)[1] == "format.whitespace"  # the server's code, the same


def test_a_token_wrapped_at_76_characters() -> None:
    """Java's MIME encoder breaks lines every 76 characters with CRLF."""
    token = send().compact()
    wrapped = "\r\n".join(token[i : i + 76] for i in range(0, len(token), 76))
    assert codes(wrapped) == {"format.whitespace"}
    assert diagnosed(wrapped).decrypts


def test_a_json_quoted_token() -> None:
    token = json.dumps(send().compact())
    assert token.startswith('"eyJ')
    assert codes(token) == {"format.quoted"}
    assert diagnosed(token).decrypts
    assert codes(token + "\n") == {"format.quoted", "format.whitespace"}


# ---------------------------------------------------------------- issue 13: outside libraries


def test_an_epk_sent_as_a_json_string() -> None:
    """Crypt::JWT writes epk as JSON text; that is the mistake, not a different key."""
    from jwe_steps.b64 import b64url_encode

    key = jwe_steps.generate_key("EC", crv="P-256")  # a DEMO key
    made = jwe_steps.encrypt(PLAINTEXT, key.public_key(), alg="ECDH-ES", enc="A256GCM")
    header = {**made.header, "epk": json.dumps(made.header["epk"])}
    encoded = b64url_encode(compact_json(header))
    iv = os.urandom(12)
    sealed = AESGCM(made["cek"]).encrypt(iv, PLAINTEXT, encoded.encode("ascii"))
    token = ".".join([encoded, "", b64u(iv), b64u(sealed[:-16]), b64u(sealed[-16:])])
    assert codes(token, key) == {"header.epk_string"}
    assert diagnosed(token, key).decrypts


@pytest.mark.parametrize("compressor", [zlib.compress, gzip.compress])
def test_zip_def_content_in_a_zlib_or_gzip_wrapper(compressor: Any) -> None:
    """python-jose compressed with zlib.compress: 78 9c ..., not raw DEFLATE."""
    header = {**HEADER, "zip": "DEF"}
    token = send(header, plaintext=compressor(PLAINTEXT)).compact()
    report = run(token)
    assert report.failed_stage == "decompression"
    assert {f.code for f in report.diagnosis} == {"decompression.framing"}


def test_raw_deflate_that_is_damaged_gets_no_framing_finding() -> None:
    header = {**HEADER, "zip": "DEF"}
    token = send(header, plaintext=b"\x78\x9c" + os.urandom(20)).compact()
    report = run(token)
    assert report.failed_stage == "decompression" and report.diagnosis == []


def test_go_jose_general_json_with_a_top_level_encrypted_key() -> None:
    """go-jose's FullSerialize copies recipients[0].encrypted_key to the top level."""
    made = jwe_steps.encrypt(
        PLAINTEXT,
        recipients=[{"key": KEY.public_key(), "alg": "RSA-OAEP-256"}],
        enc="A256GCM",
        serialization="general",
    )
    token = dict(made.token)
    token["encrypted_key"] = token["recipients"][0]["encrypted_key"]
    report = run(token)
    expected = ["format.json_serialization", "format.ignored_member"]
    assert [f.code for f in report.diagnosis] == expected
    # Whether decrypt accepts it (RFC 7516 §7.2.1) or refuses it, the token opens once the
    # copy is ignored.
    assert report.ok or diagnosed(token).decrypts
    assert [f.code for f in run(json.dumps(token)).diagnosis] == expected


# ---------------------------------------------------------------- issue 13: bounded hypotheses


def test_a_megabyte_header_that_is_not_json_costs_little_memory() -> None:
    """Once 2 s and 500 MiB through ast.literal_eval; now the text is too big to re-read."""
    import tracemalloc

    from jwe_steps.b64 import b64url_encode

    header = b"{" + b"'a': [1, 2, 3], " * (1024 * 1024 // 16) + b"}"
    rest = send().compact().split(".", 1)[1]
    token = b64url_encode(header) + "." + rest
    tracemalloc.start()
    try:
        found = codes(token)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == {"header.json"}
    assert peak < 64 * 1024 * 1024, peak


def test_look_alike_pbes2_names_share_the_total_p2c_cap() -> None:
    """Two recipients at 200 000 iterations each exceed the 310 000 decrypt allows in all."""
    right = b"the right demo password"
    made = jwe_steps.encrypt(
        PLAINTEXT,
        recipients=[
            {
                "key": b"a wrong demo password",
                "alg": "PBES2-HS256+A128KW",
                "header": {"p2c": 200_000},
            },
            {"key": right, "alg": "PBES2-HS256+A128KW", "header": {"p2c": 200_000}},
        ],
        enc="A128GCM",
        serialization="general",
    )
    token = json.loads(json.dumps(made.token))
    for recipient in token["recipients"]:
        recipient["header"]["alg"] = "pbes2-hs256+a128kw"
    report = run(token, right)
    found = {f.code for f in report.diagnosis}
    assert "limits.exceeded" in found and "key.mismatch" not in found
    # Within the cap, the same look-alike is named and proven.
    token["recipients"] = token["recipients"][1:]
    assert codes(token, right) == {"header.unsupported_alg"}
    assert diagnosed(token, right).decrypts


def test_every_code_is_covered_by_this_file() -> None:
    """A new code in CODES must come with a test that produces it."""
    source = Path(__file__).read_text(encoding="utf-8")
    missing = [code for code in CODES if f'"{code}"' not in source.split("def test_every_code")[0]]
    assert missing == []


def test_explain_is_the_package_level_function_even_after_importing_its_module():
    """`jwe_steps.explain(token, key)` is the documented call: no submodule may shadow it."""
    import jwe_steps.explanation

    assert jwe_steps.explain is jwe_steps.explanation.explain
    assert callable(jwe_steps.explain)


def test_every_finding_code_has_its_texts_in_a_family_table() -> None:
    """Messages are keyed by code ("code" or "code:variant") in their family's module."""
    import importlib
    import pkgutil
    import string

    import jwe_steps.diagnose as package
    from jwe_steps.errors import CODES as REGISTRY

    keys: list[str] = []
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if name.endswith("MESSAGES") and isinstance(value, dict):
                keys += value
                for message, fix in value.values():
                    for template in (message, fix):  # each parses as a format template
                        list(string.Formatter().parse(template))
    families = {key.partition(":")[0] for key in keys}
    assert families == set(CODES)
    assert set(CODES) <= set(REGISTRY)


def test_a_look_alike_pbes2_name_over_the_callers_p2c_cap_is_not_tried() -> None:
    """explain(limits=...) holds every hypothesis to the caller's caps, as decrypt does."""
    password = b"a demo password"
    made = jwe_steps.encrypt(
        PLAINTEXT, password, alg="PBES2-HS256+A128KW", enc="A128GCM", header={"p2c": 5_000}
    )
    head, *rest = made.token.split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    header["alg"] = "pbes2-hs256+a128kw"
    token = ".".join([b64u(compact_json(header)), *rest])
    # Within the cap the key opens the encrypted key: no limit is claimed, no other key.
    assert not {"limits.exceeded", "key.mismatch"} & codes(token, password)
    found = codes(token, password, limits=jwe_steps.Limits(max_p2c=1_000))
    assert "limits.exceeded" in found and "key.mismatch" not in found


def test_the_go_jose_note_stays_when_the_token_fails_for_another_reason() -> None:
    made = jwe_steps.encrypt(
        PLAINTEXT,
        recipients=[{"key": KEY.public_key(), "alg": "RSA-OAEP-256"}],
        enc="A256GCM",
        serialization="general",
    )
    token = {**made.token, "encrypted_key": made.token["recipients"][0]["encrypted_key"]}
    tag = base64.urlsafe_b64decode(token["tag"] + "==")
    token["tag"] = b64u(bytes([tag[0] ^ 1]) + tag[1:])
    found = codes(token)
    assert "format.ignored_member" in found and "tag.mismatch" in found


@pytest.mark.parametrize(
    "epk", ["[1, 2]", "not json", {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]
)
def test_an_unusable_epk_is_not_called_a_different_key(epk: Any) -> None:
    """decrypt names the header problem; explain must not add a false key.mismatch."""
    from jwe_steps.b64 import b64url_encode

    key = jwe_steps.generate_key("EC", crv="P-256")  # a DEMO key
    made = jwe_steps.encrypt(PLAINTEXT, key.public_key(), alg="ECDH-ES", enc="A256GCM")
    header = {**made.header, "epk": epk}
    encoded = b64url_encode(compact_json(header))
    iv = os.urandom(12)
    sealed = AESGCM(made["cek"]).encrypt(iv, PLAINTEXT, encoded.encode("ascii"))
    token = ".".join([encoded, "", b64u(iv), b64u(sealed[:-16]), b64u(sealed[-16:])])
    report = run(token, key)
    assert report.failed_stage == "header"
    assert "key.mismatch" not in {f.code for f in report.diagnosis}
