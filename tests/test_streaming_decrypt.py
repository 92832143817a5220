"""Issue 17: a large compact token is decrypted as a stream, and the trace is recorded lazily.

The stream must give exactly what the whole-buffer path gives, refuse exactly what it refuses
(with the same codes), return nothing before the tag has verified, and leave a trace whose
steps read the same values."""

from __future__ import annotations

import os

import pytest

import jwe_steps
from jwe_steps import b64
from jwe_steps.b64 import b64url_decode, b64url_decode_pieces, b64url_encode
from jwe_steps.decryption import STREAM_FROM_CHARACTERS
from jwe_steps.errors import JWEError
from jwe_steps.serialization import parse_compact
from jwe_steps.trace import Deferred, Step, Trace

KEY = jwe_steps.generate_key("RSA")  # a DEMO key, made for these tests
LARGE = STREAM_FROM_CHARACTERS + 3 * b64._PIECE  # bytes: streamed, several pieces
ENCS = ("A256GCM", "A128GCM", "A128CBC-HS256", "A256CBC-HS512")


def _token(plaintext: bytes, enc: str) -> jwe_steps.EncryptTrace:
    return jwe_steps.encrypt(plaintext, KEY.public_key(), alg="RSA-OAEP-256", enc=enc)


def _replace(token: str, part: int, position: int, char: str) -> str:
    parts = token.split(".")
    text = parts[part]
    parts[part] = text[:position] + char + text[position + 1 :]
    return ".".join(parts)


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("extra", [0, 1, 15, 16, 17])
def test_a_streamed_token_decrypts_to_the_plaintext_and_the_same_steps(enc, extra):
    plaintext = os.urandom(LARGE + extra)
    sent = _token(plaintext, enc)
    assert parse_compact(sent.token, defer_from=STREAM_FROM_CHARACTERS).deferred is not None
    received = jwe_steps.decrypt(sent.token, KEY)
    assert received.plaintext == plaintext
    assert received["ciphertext"] == sent["ciphertext"]
    if "CBC" in enc:
        assert received["hmac_input"] == sent["hmac_input"]
        assert received["hmac_output"] == sent["hmac_output"]
    streamed = {step.name: step.value for step in received.steps}
    whole = jwe_steps.decrypt(sent.token, KEY, engine="from_scratch") if extra == 0 else None
    if whole is not None:  # the from-scratch engine takes the whole-buffer path
        assert whole.plaintext == plaintext
        for name in ("ciphertext", "tag", "aad", "cek", "plaintext"):
            assert whole[name] == streamed[name]


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("part", [3, 4])
def test_an_altered_streamed_ciphertext_or_tag_fails_at_the_tag(enc, part):
    token = _token(os.urandom(LARGE), enc).token
    text = token.split(".")[part]
    position = len(text) // 2 if part == 3 else 0
    altered = _replace(token, part, position, "A" if text[position] != "A" else "B")
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(altered, KEY)
    assert caught.value.code == "decryption.failed"


@pytest.mark.parametrize("enc", ENCS)
def test_a_streamed_token_for_another_key_fails_at_the_tag(enc):
    token = _token(os.urandom(LARGE), enc).token
    other = jwe_steps.generate_key("RSA")  # a DEMO key
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, other)
    assert caught.value.code == "decryption.failed"


@pytest.mark.parametrize(
    ("where", "char", "code"),
    [
        (b64._PIECE + 5, "=", "base64url.padding"),
        (2 * b64._PIECE + 7, "+", "base64url.alphabet"),
        (2 * b64._PIECE + 9, "/", "base64url.alphabet"),
        (b64._PIECE, " ", "base64url.character"),
        (3 * b64._PIECE - 1, "é", "base64url.character"),
    ],
)
def test_a_bad_character_deep_in_a_streamed_ciphertext_is_refused_with_its_code(where, char, code):
    token = _replace(_token(os.urandom(LARGE), "A256GCM").token, 3, where, char)
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(token, KEY)
    assert caught.value.code == code


def test_a_streamed_ciphertext_of_impossible_length_or_noncanonical_end_is_refused():
    token = _token(os.urandom(LARGE + 1), "A256GCM").token  # 4n+2 characters: 4 spare bits
    parts = token.split(".")
    ciphertext = parts[3]
    last = ciphertext[-1]
    flipped = b64._ALPHABET[b64._VALUE[last] ^ 1]
    cases = {
        "base64url.length": ciphertext + "A" * (5 - len(ciphertext) % 4),
        "base64url.noncanonical": ciphertext[:-1] + flipped,
    }
    for code, text in cases.items():
        assert len(text) % 4 == 1 or code == "base64url.noncanonical"
        with pytest.raises(JWEError) as caught:
            jwe_steps.decrypt(".".join([*parts[:3], text, parts[4]]), KEY)
        assert caught.value.code == code


def test_pieces_decode_to_the_same_bytes_as_the_whole_part():
    data = os.urandom(5 * b64._PIECE + 7)
    text = "xx." + b64url_encode(data) + ".yy"
    start, end = 3, len(text) - 3
    pieces = list(b64url_decode_pieces(text, start, end, piece=4096))
    assert all(len(piece) <= 3072 for piece in pieces) and len(pieces) > 1
    assert b"".join(pieces) == data == b64url_decode(text[start:end])
    with pytest.raises(ValueError):
        next(b64url_decode_pieces(text, start, end, piece=4097))


def test_steps_are_built_only_when_read_and_keep_their_identity():
    trace = Trace("demo")
    value = os.urandom(16)
    assert trace.add("cek", value, "the CEK", "RFC 7516 §5.1 step 2") is value
    trace.add("iv", b"\x00" * 12, "an IV", inputs=("cek",))
    assert "cek" in trace and len(trace) == 2 and trace.names() == ["cek", "iv"]
    assert isinstance(trace._log[0], tuple)  # nothing built yet
    first = trace.step("cek")
    assert isinstance(first, Step) and first.value is value and trace.step("cek") is first
    steps = trace.steps
    assert all(isinstance(step, Step) for step in steps) and steps[0] is first
    assert steps[1].inputs == ("cek",)
    trace.add("tag", b"\x01" * 16, "a tag")  # after steps was handed out: built at once
    assert isinstance(steps[-1], Step) and steps[-1].name == "tag"


def test_a_deferred_value_is_computed_on_read_and_its_length_known_before():
    calls = []

    def compute() -> bytes:
        calls.append(1)
        return b"\xab" * 40

    trace = Trace("demo")
    trace.add_deferred("ciphertext", Deferred(compute, 40), "deferred ciphertext")
    assert trace.size_of("ciphertext") == 40 and trace.redacted()["lengths"]["ciphertext"] == 40
    assert calls == [] and "40 B" in repr(Deferred(compute, 40))
    assert trace["ciphertext"] == b"\xab" * 40 and trace["ciphertext"] == b"\xab" * 40
    assert calls == [1]


def test_the_log_safe_forms_of_a_streamed_trace_print_no_plaintext():
    plaintext = b"SECRET-" * (LARGE // 7 + 1)
    received = jwe_steps.decrypt(_token(plaintext, "A256GCM").token, KEY)
    for text in (str(received), repr(received), str(received.redacted())):
        assert "SECRET" not in text
    assert received.redacted()["lengths"]["ciphertext"] == len(plaintext)


def test_a_trace_built_from_steps_still_compares_and_copies():
    sent = _token(b"hello", "A256GCM")
    copy = jwe_steps.trace.EncryptTrace(steps=list(sent.steps), header=sent.header)
    assert copy.steps == sent.steps and copy["cek"] == sent["cek"]
    assert Trace("x", [Step("a", b"1", "one")]) == Trace("x", [Step("a", b"1", "one")])
