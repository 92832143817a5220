"""Step cards: inputs -> operation -> output, the RFC section, and a verification badge."""

from __future__ import annotations

import pytest

import jwe_steps
from jwe_steps import explain
from jwe_steps.examples import RFC7516_A1
from jwe_steps.verification import differing_bytes, verify
from jwe_steps.view import step_card, step_cards
from jwe_steps.view import verify as view_verify
from jwe_steps.view.cards import verification_of


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
    steps_before = list(trace.steps)
    result = verify(trace, "tag", RFC7516_A1.tag, "RFC 7516 A.1.6", kind="vector")
    assert result and result.differing == () and result.status == "verified"
    assert verification_of(trace.step("tag"), trace) == result
    assert trace.steps == steps_before and all(
        a is b for a, b in zip(trace.steps, steps_before, strict=True)
    )
    html = step_card(trace, "tag").html()
    assert 'data-verified="true"' in html and "verified against RFC 7516 A.1.6" in html
    assert 'data-witness="RFC 7516 A.1.6"' in html and 'data-witness-kind="vector"' in html
    assert trace["tag"] == RFC7516_A1.tag  # the value itself is untouched


def test_an_echoed_input_is_given_never_verified():
    trace = _rfc_trace()
    result = verify(trace, "iv", RFC7516_A1.iv, "the IV injected above")  # kind defaults to given
    assert result and result.status == "given" and not result.verified
    html = step_card(trace, "iv").html()
    assert 'data-verified="given"' in html and 'data-verified="true"' not in html
    assert 'data-status="given"' in html and "not an independent check" in html
    assert "✓" not in html  # the tick belongs to proofs only


def test_a_mismatch_is_an_alarm_whatever_the_witness():
    trace = _rfc_trace()
    wrong = bytearray(RFC7516_A1.ciphertext)
    wrong[3] ^= 0x80
    wrong[7] ^= 0x01
    result = verify(trace, "ciphertext", bytes(wrong), "a deliberately altered copy", "vector")
    assert not result and result.differing == (3, 7) and result.status == "differs"
    html = step_card(trace, "ciphertext").html()
    assert 'data-verified="false"' in html and "at 2 bytes" in html and "ALARM" in html
    assert 'data-status="differs" style=' in html  # the card itself, not only its badge
    assert html.count("<mark") == 2
    assert "offsets 3, 7" in html
    assert "DIFFERS" in str(result)
    given = verify(trace, "tag", b"\x00" * 16, "an injected tag", kind="given")
    assert given.status == "differs"


def test_several_witnesses_are_all_named_and_a_mismatch_wins():
    trace = _rfc_trace()
    verify(trace, "tag", RFC7516_A1.tag, "RFC 7516 A.1.6", kind="vector")
    verify(trace, "tag", RFC7516_A1.tag, "the tag printed above")
    html = step_card(trace, "tag").html()
    assert 'data-verified="true"' in html and html.count('class="jwe-badge jwe-badge-') == 2
    verify(trace, "tag", bytes(16), "a wrong copy", kind="independent")
    assert 'data-verified="false"' in step_card(trace, "tag").html()
    assert verification_of(trace.step("tag"), trace).status == "differs"


def test_the_view_re_export_is_the_verification_function():
    assert view_verify is verify


def test_an_unknown_kind_is_refused():
    trace = _rfc_trace()
    with pytest.raises(ValueError, match="kind must be one of"):
        verify(trace, "tag", RFC7516_A1.tag, "RFC 7516 A.1.6", kind="trust me")  # type: ignore[arg-type]


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


def test_differing_bytes_finds_each_offset_across_compared_blocks():
    actual = bytes(range(256)) * 40  # 10 240 bytes: more than two of the blocks compared at once
    for offsets in [(), (0,), (4095, 4096), (8191, 10_239), tuple(range(4090, 4100))]:
        expected = bytearray(actual)
        for offset in offsets:
            expected[offset] ^= 0x5A
        assert differing_bytes(actual, bytes(expected)) == offsets
    assert differing_bytes(actual, actual[:-3]) == (10_237, 10_238, 10_239)
