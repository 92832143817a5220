"""Tampering is a model operation: new tokens, then the pipeline says which stage rejects them."""

from __future__ import annotations

import pytest

import jwe_steps
from jwe_steps.b64 import b64url_decode
from jwe_steps.tamper import PARTS, first_bit_flips, flip_bit, replace_part


@pytest.fixture(scope="module")
def token_and_key():
    key = jwe_steps.generate_key("oct", size=256)
    return str(jwe_steps.encrypt(b"Attack at dawn", key, alg="A256KW", enc="A256GCM").token), key


@pytest.mark.parametrize("name", PARTS)
def test_flip_bit_changes_exactly_one_bit_of_one_part(token_and_key, name):
    token, _ = token_and_key
    tampered = flip_bit(token, name, 1, 3)
    for index, (before, after) in enumerate(
        zip(token.split("."), tampered.split("."), strict=True)
    ):
        if PARTS[index] != name:
            assert before == after
            continue
        a, b = b64url_decode(before), b64url_decode(after)
        assert [i for i in range(len(a)) if a[i] != b[i]] == [1] and a[1] ^ b[1] == 1 << 3


@pytest.mark.parametrize(("byte", "bit"), [(-1, 0), (10_000, 0), (0, 8), (0, -1)])
def test_flip_bit_refuses_a_byte_or_bit_that_is_not_there(token_and_key, byte, bit):
    with pytest.raises(ValueError):
        flip_bit(token_and_key[0], "iv", byte, bit)


def test_replace_part_and_an_unknown_part(token_and_key):
    token, _ = token_and_key
    assert replace_part(token, "tag", "AAAA").split(".")[4] == "AAAA"
    with pytest.raises(ValueError, match="not 'payload'"):
        replace_part(token, "payload", "x")


def test_every_flip_is_rejected_at_the_stage_that_checks_it(token_and_key):
    token, key = token_and_key
    rows = dict(first_bit_flips(token, key, algorithms=["A256KW", "A256GCM"]))
    assert set(rows) == set(PARTS) and "accepted" not in rows.values()
    assert rows["ciphertext"] == rows["tag"] == rows["iv"] == "content_decryption"
    assert rows["encrypted_key"] == "key_management"


def test_an_empty_part_has_nothing_to_flip():
    key = jwe_steps.generate_key("oct", size=128)
    token = str(jwe_steps.encrypt(b"x", key, alg="dir", enc="A128GCM").token)
    assert dict(first_bit_flips(token, key))["encrypted_key"] == "nothing to flip (empty part)"
