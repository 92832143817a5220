"""A header holds at most MAX_HEADER_MEMBERS members (``header.too_many_members``).

Without the cap, a general JSON token's one protected header of 300 000 members was copied
into each of its 100 recipients' JOSE headers: 2 s in decrypt and 8 s in explain for a 4.6 MB
token. Real headers have a handful of members; the cap applies to every header, in every
serialization, on both sides.
"""

from __future__ import annotations

import json

import pytest

import jwe_steps
from jwe_steps.b64 import b64url_encode
from jwe_steps.header import MAX_HEADER_MEMBERS

PAIR = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}


@pytest.fixture(scope="module")
def rsa_key():
    return jwe_steps.generate_key("RSA")  # a DEMO key


def _members(count: int) -> dict[str, int]:
    return {f"x-{index}": 0 for index in range(count)}


def _encoded(header: dict) -> str:
    return b64url_encode(json.dumps(header, separators=(",", ":")).encode())


def _general(protected: dict, *, unprotected: dict | None = None, recipients: list[dict]):
    token = {
        "protected": _encoded(protected),
        "recipients": [{"header": header, "encrypted_key": "AAAA"} for header in recipients],
        "iv": "AAAAAAAAAAAAAAAA",
        "ciphertext": "AAAA",
        "tag": "AAAAAAAAAAAAAAAAAAAAAA",
    }
    if unprotected is not None:
        token["unprotected"] = unprotected
    return json.dumps(token)


def _code(token, key) -> str:
    with pytest.raises(jwe_steps.JWEError) as caught:
        jwe_steps.decrypt(token, key)
    return caught.value.code


def _encrypt(rsa_key, extra: int):
    """A token whose protected header is the usual one (alg, enc, kid) and ``extra`` more."""
    return jwe_steps.encrypt(b"hi", rsa_key.public_key(), **PAIR, header=_members(extra))


def test_a_protected_header_at_the_cap_is_read(rsa_key):
    usual = len(_encrypt(rsa_key, 0).header)
    token = _encrypt(rsa_key, MAX_HEADER_MEMBERS - usual).token
    assert len(jwe_steps.decrypt(token, rsa_key).header) == MAX_HEADER_MEMBERS


def test_one_member_more_is_refused_in_a_compact_token(rsa_key):
    header = _encoded({**PAIR, **_members(MAX_HEADER_MEMBERS - 1)})
    token = ".".join((header, "AAAA", "AAAAAAAAAAAAAAAA", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA"))
    assert _code(token, rsa_key) == "header.too_many_members"
    explanation = jwe_steps.explain(token, rsa_key)
    assert explanation.failed_stage == "header" and explanation.error.code == (
        "header.too_many_members"
    )


def test_the_hostile_general_token_is_refused_before_a_copy_per_recipient(rsa_key):
    protected = {**PAIR, **_members(300_000)}
    token = _general(protected, recipients=[{"kid": f"k{index}"} for index in range(100)])
    assert _code(token, rsa_key) == "header.too_many_members"
    assert jwe_steps.explain(token, rsa_key).error.code == "header.too_many_members"


@pytest.mark.parametrize("where", ["unprotected", "recipient"])
def test_the_unprotected_headers_are_capped_too(rsa_key, where):
    many = _members(MAX_HEADER_MEMBERS + 1)
    if where == "unprotected":
        token = _general(PAIR, unprotected=many, recipients=[{}, {}])
    else:
        token = _general(PAIR, recipients=[{"kid": "a"}, many])
    assert _code(token, rsa_key) == "header.too_many_members"
    assert jwe_steps.explain(token, rsa_key).error.code == "header.too_many_members"


def test_encrypt_does_not_write_a_header_decrypt_refuses(rsa_key):
    with pytest.raises(jwe_steps.JWEError) as caught:
        _encrypt(rsa_key, MAX_HEADER_MEMBERS - 1)
    assert caught.value.code == "header.too_many_members"
