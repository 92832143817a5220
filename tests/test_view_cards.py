"""Step cards: inputs -> operation -> output, the RFC section, and a verification badge."""

from __future__ import annotations

import jwe_steps
from jwe_steps import explain
from jwe_steps.examples import RFC7516_A1
from jwe_steps.view import step_card, step_cards, verify
from jwe_steps.view.cards import differing_bytes, verification_of


def _rfc_trace():
    example = RFC7516_A1
    return jwe_steps.encrypt(
        example.plaintext,
        example.demo_key().public_key(),
        alg=example.alg,
        enc=example.enc,
        cek=example.cek,
        iv=example.iv,
    )


def test_card_shows_inputs_operation_output_and_section():
    trace = _rfc_trace()
    html = step_card(trace, "ciphertext").html()
    for name in ("cek", "iv", "plaintext", "aad"):
        assert f">{name} <" in html or f">{name}<" in html
    assert "A256GCM-Encrypt" in html
    assert "RFC 7516 §5.1 step 15" in html
    assert 'data-verified="none"' in html


def test_verified_badge_against_the_published_vector():
    trace = _rfc_trace()
    result = verify(trace, "tag", RFC7516_A1.tag, "RFC 7516 A.1.6")
    assert result and result.differing == ()
    assert verification_of(trace.step("tag")) == result
    html = step_card(trace, "tag").html()
    assert 'data-verified="true"' in html and "verified against RFC 7516 A.1.6" in html
    assert trace["tag"] == RFC7516_A1.tag  # the value itself is untouched


def test_a_mismatch_is_badged_and_its_bytes_outlined():
    trace = _rfc_trace()
    wrong = bytearray(RFC7516_A1.ciphertext)
    wrong[3] ^= 0x80
    wrong[7] ^= 0x01
    result = verify(trace, "ciphertext", bytes(wrong), "a deliberately altered copy")
    assert not result and result.differing == (3, 7)
    html = step_card(trace, "ciphertext").html()
    assert 'data-verified="false"' in html and "at 2 bytes" in html
    assert html.count("<mark") == 2
    assert "offsets 3, 7" in html
    assert "DIFFERS" in str(result)


def test_differing_bytes_counts_a_length_difference():
    assert differing_bytes(b"abc", b"abd") == (2,)
    assert differing_bytes(b"ab", b"abcd") == (2, 3)


def test_cards_for_a_failed_decryption_end_with_the_rejection(rsa_key):
    trace = jwe_steps.encrypt(b"x", rsa_key, alg="RSA-OAEP", enc="A128GCM")
    parts = trace.token.split(".")
    parts[4] = "AAAAAAAAAAAAAAAAAAAAAA"
    cards = step_cards(explain(".".join(parts), rsa_key))
    html = cards.html()
    assert "jwe-failure" in html and "content_decryption" in html
    assert "REJECTED at stage 'content_decryption'" in str(cards)


def test_every_step_gets_a_card():
    trace = _rfc_trace()
    html = step_cards(trace).html()
    assert html.count('class="jwe-steps-view jwe-card"') == len(trace.steps)
