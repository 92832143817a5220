"""AES-CBC-HMAC-SHA2 (RFC 7518 §5.2) with RFC 7518 Appendix B's numbers, and the steps it
records; AES-GCM's registration alongside it."""

from __future__ import annotations

import hmac
import struct

import pytest

from jwe_steps import DEFAULT_LIMITS, JWEError, Stage
from jwe_steps import algorithms as registry
from jwe_steps.algorithms import Context
from jwe_steps.examples.rfc7518 import APPENDIX_B
from jwe_steps.trace import Trace


def _ctx() -> Context:
    return Context(trace=Trace("test"), limits=DEFAULT_LIMITS)


@pytest.mark.parametrize("case", APPENDIX_B, ids=[c.enc for c in APPENDIX_B])
def test_appendix_b_encrypts_to_the_published_ciphertext_and_tag(case):
    enc = registry.content_encryption(case.enc)
    assert enc.key_size == len(case.key) and enc.tag_size == len(case.tag) and enc.iv_size == 16
    ctx = _ctx()
    ciphertext, tag = enc.encrypt(case.key, case.iv, case.plaintext, case.aad, ctx)
    assert ciphertext == case.ciphertext and tag == case.tag
    # Every intermediate value is a step: the key split, AL, the HMAC input and output.
    assert ctx.trace["mac_key"] == case.mac_key and ctx.trace["enc_key"] == case.enc_key
    assert ctx.trace["al"] == case.al
    assert ctx.trace["hmac_input"] == case.aad + case.iv + case.ciphertext + case.al
    full = hmac.new(case.mac_key, ctx.trace["hmac_input"], enc.hash_name).digest()
    assert ctx.trace["hmac_output"] == full and full[: enc.tag_size] == case.tag
    assert enc.decrypt(case.key, case.iv, case.ciphertext, case.tag, case.aad, _ctx()) == (
        case.plaintext
    )


@pytest.mark.parametrize("case", APPENDIX_B, ids=[c.enc for c in APPENDIX_B])
def test_any_change_fails_at_the_tag_before_decrypting(case):
    enc = registry.content_encryption(case.enc)
    flipped_tag = bytes([case.tag[0] ^ 1]) + case.tag[1:]
    changed = [
        (case.key, case.iv, case.ciphertext, flipped_tag, case.aad),
        (case.key, bytes(16), case.ciphertext, case.tag, case.aad),
        (case.key, case.iv, case.ciphertext[:-16], case.tag, case.aad),
        (case.key, case.iv, case.ciphertext, case.tag, case.aad + b"x"),
        (bytes(len(case.key)), case.iv, case.ciphertext, case.tag, case.aad),
    ]
    for key, iv, ciphertext, tag, aad in changed:
        ctx = _ctx()
        with pytest.raises(JWEError) as caught:
            enc.decrypt(key, iv, ciphertext, tag, aad, ctx)
        assert caught.value.stage == Stage.CONTENT_DECRYPTION
        assert "plaintext" not in ctx.trace  # nothing was decrypted


def _cbc_hs256_tag(mac_key: bytes, iv: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """RFC 7518 §5.2.2.1 steps 4-6, computed here with hmac (not the code under test)."""
    al = struct.pack(">Q", 8 * len(aad))
    return hmac.new(mac_key, aad + iv + ciphertext + al, "sha256").digest()[:16]


def test_a_verified_tag_over_a_partial_block_or_bad_padding_still_fails_cleanly():
    enc = registry.content_encryption("A128CBC-HS256")
    key, iv, aad = bytes(range(32)), bytes(16), b"aad"
    for ciphertext in (b"", b"\x01" * 15, b"\x02" * 16):
        tag = _cbc_hs256_tag(key[:16], iv, ciphertext, aad)
        with pytest.raises(JWEError) as caught:
            enc.decrypt(key, iv, ciphertext, tag, aad, _ctx())
        assert caught.value.stage == Stage.CONTENT_DECRYPTION


def test_every_enc_of_rfc_7518_is_registered_with_its_sizes():
    expected = {
        "A128CBC-HS256": (32, 16, 16), "A192CBC-HS384": (48, 16, 24),
        "A256CBC-HS512": (64, 16, 32), "A128GCM": (16, 12, 16), "A192GCM": (24, 12, 16),
        "A256GCM": (32, 12, 16),
    }  # fmt: skip
    for name, sizes in expected.items():
        enc = registry.content_encryption(name)
        assert (enc.key_size, enc.iv_size, enc.tag_size) == sizes
