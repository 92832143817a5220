"""The recipes against hostile key files, tokens and outputs (found by a fuzzing pass).

Every recipe, in every language, answers bad input with exit status 1, nothing on stdout and
one line on stderr: ``LANG recipe: STAGE: ...``, where the stage word is the recipe's stable
identifier (``jwk``, ``parse``, ``base64url``, ``output``...). Before this pass some of them
printed a stack trace for a key whose modulus is even, accepted a modulus of any size (a
million-bit key kept one busy for minutes), refused a key whose ``key_ops`` says ``wrapKey``
(the right value for RSA-OAEP), let a token's text add lines and terminal escapes to stderr,
echoed a private member given as ``kty``, took line breaks and padding inside a token, or lost
a write to a full disk with exit status 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from test_recipes import (
    LANGS,
    RUN,
    STANDARD,
    _Impostor,
    jws_by_hand,
    need,
    recipe_env,
    run,
    serving,
)

import jwe_steps
from jwe_steps import jws
from jwe_steps.b64 import b64url_decode, b64url_encode

SECRET = b'{"pan":"ZZZZZ9999Z"}'


def _refused(done: subprocess.CompletedProcess[bytes], lang: str, stage: str) -> str:
    """The one line a recipe writes when it refuses, checked; returned for more checks."""
    message = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1, (done.returncode, message[-2000:])
    assert done.stdout == b""
    assert message.startswith(f"{lang} recipe: {stage}: "), message[-2000:]
    assert message.count("\n") == 1 and message.endswith("\n"), message[-2000:]
    assert not any(c in message[:-1] for c in "\r\x1b\x00"), repr(message[-300:])
    assert "ZZZZZ9999Z" not in message
    return message


def _write(tmp_path: Path, name: str, jwk: dict[str, Any]) -> Path:
    path = tmp_path / f"demo_{name}.jwk"  # every key here is a DEMO key or made from one
    path.write_text(json.dumps(jwk))
    return path


def _with_n(jwk: dict[str, Any], n: int) -> dict[str, Any]:
    return jwk | {"n": b64url_encode(n.to_bytes((n.bit_length() + 7) // 8, "big"))}


def _n_of(jwk: dict[str, Any]) -> int:
    return int.from_bytes(b64url_decode(jwk["n"]), "big")


def _unusable_public_keys(public: dict[str, Any]) -> dict[str, dict[str, Any]]:
    n = _n_of(public)
    huge = (1 << 16391) | int.from_bytes(os.urandom(2049), "big") % (1 << 16391) | 1
    return {
        "an even modulus": _with_n(public, n - 1),
        "an exponent above the modulus": public
        | {"e": b64url_encode((n + 2).to_bytes(257, "big"))},
        "a 16392-bit modulus": _with_n(public, huge),
        "key_ops for signatures only": public | {"key_ops": ["verify"]},
    }


@pytest.mark.parametrize("lang", LANGS)
def test_an_unusable_public_key_is_refused_as_jwk(lang, key_files, tmp_path):
    public = key_files["key"].to_jwk()
    for name, jwk in _unusable_public_keys(public).items():
        done = run(
            lang, "encrypt", str(_write(tmp_path, name.replace(" ", "_"), jwk)), stdin=SECRET
        )
        _refused(done, lang, "jwk")


@pytest.mark.parametrize("lang", LANGS)
def test_a_private_key_too_large_or_for_signing_only_is_refused_as_jwk(lang, key_files, tmp_path):
    private = key_files["key"].to_jwk(private=True)
    huge = _with_n(private, (1 << 16391) | 1)  # beyond 16384 bits: refused before any work
    token = jwe_steps.encrypt(SECRET, key_files["key"].public_key(), alg="RSA-OAEP-256",
                              enc="A256GCM").token  # fmt: skip
    for name, jwk in {"huge": huge, "signing": private | {"key_ops": ["sign"]}}.items():
        done = run(lang, "decrypt", str(_write(tmp_path, name, jwk)), stdin=token.encode())
        _refused(done, lang, "jwk")


@pytest.mark.parametrize("lang", LANGS)
def test_key_ops_that_name_key_wrapping_are_accepted(lang, key_files, tmp_path):
    # RFC 7517 §4.3: an RSA-OAEP key wraps the CEK, so "wrapKey"/"unwrapKey" are its key_ops.
    key = key_files["key"]
    public = _write(tmp_path, "wrap", key.to_jwk() | {"key_ops": ["wrapKey"]})
    private = _write(tmp_path, "unwrap", key.to_jwk(private=True) | {"key_ops": ["unwrapKey"]})
    sealed = run(lang, "encrypt", str(public), stdin=SECRET)
    assert sealed.returncode == 0, sealed.stderr.decode()[-2000:]
    assert jwe_steps.decrypt(sealed.stdout.decode().strip(), key).plaintext == SECRET
    opened = run(lang, "decrypt", str(private), stdin=sealed.stdout)
    assert opened.returncode == 0, opened.stderr.decode()[-2000:]
    assert opened.stdout == SECRET


@pytest.mark.parametrize("lang", LANGS)
def test_a_private_member_given_as_kty_is_not_echoed(lang, key_files, tmp_path):
    private = key_files["key"].to_jwk(private=True)
    for name, kty in {"text": private["d"], "object": {"d": private["d"]}}.items():
        path = _write(tmp_path, f"kty_{name}", private | {"kty": kty})
        message = _refused(run(lang, "encrypt", str(path), stdin=SECRET), lang, "jwk")
        assert private["d"][:40] not in message and len(message) < 1000


def _sealed(
    key: Any, header: dict[str, Any] | bytes, *, iv_size: int = 12, plaintext: bytes = SECRET
) -> list[str]:
    """The five parts of an RSA-OAEP-256 + A256GCM token made with the bare primitives, around
    a header jwe_steps would not write."""
    header_text = header if isinstance(header, bytes) else json.dumps(header).encode()
    cek, iv = os.urandom(32), os.urandom(iv_size)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    encrypted_key = key.public_key().material.encrypt(cek, oaep)
    encoded_header = b64url_encode(header_text)
    sealed = AESGCM(cek).encrypt(iv, plaintext, encoded_header.encode("ascii"))
    parts = (encrypted_key, iv, sealed[:-16], sealed[-16:])
    return [encoded_header] + [b64url_encode(part) for part in parts]


def _header(key: Any, **members: Any) -> dict[str, Any]:
    return {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": key.kid, **members}


MAX_DEPTH = 32  # every recipe's cap on JSON nesting


def _nested_list(depth: int) -> str:
    """A member value that makes an object ``depth`` deep: arrays inside the object."""
    return "[" * (depth - 1) + "]" * (depth - 1)


@pytest.mark.parametrize("lang", LANGS)
def test_header_text_cannot_add_lines_or_escapes_to_stderr(lang, key_files):
    key = key_files["key"]
    private = str(key_files["files"]["private"])
    for name in ("a\nb\r\nc", "\x1b[31mred", "x" * 100_000):
        token = ".".join(_sealed(key, _header(key, **{name: 1})))
        done = run(lang, "decrypt", private, stdin=token.encode())
        if done.returncode == 0:  # a recipe may ignore a member it does not know
            assert done.stdout == SECRET
            continue
        message = _refused(done, lang, "header")
        assert len(message) < 1000


TOKEN_TEXT_CASES = {
    "a line break inside the ciphertext": lambda parts: (
        [*parts[:3], parts[3][:8] + "\n" + parts[3][8:], *parts[4:]]
    ),
    "padding after the tag": lambda parts: [*parts[:4], parts[4] + "=="],
    "a space after a dot": lambda parts: [*parts[:2], " " + parts[2], *parts[3:]],
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", list(TOKEN_TEXT_CASES))
def test_a_token_is_read_as_strict_base64url(lang, case, key_files):
    # One message, one text: a token that a replay cache has seen cannot come back re-spelled.
    key = key_files["key"]
    token = ".".join(TOKEN_TEXT_CASES[case](_sealed(key, _header(key))))
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token.encode())
    _refused(done, lang, "base64url")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("around", [b"\n", b"\r\n", b" \t", b"\n\n\n"])
def test_a_token_with_line_ends_or_blanks_around_it_is_taken(lang, around, key_files):
    key = key_files["key"]
    token = around + ".".join(_sealed(key, _header(key))).encode() + around
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token)
    assert done.returncode == 0 and done.stdout == SECRET, done.stderr.decode()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "after", [b"\x0b", b"\x0c", b"\x1c", b"\x1f", b"\xa0", b"\xc2\xa0", b"\x85"]
)
def test_a_token_with_other_whitespace_after_it_is_refused(lang, after, key_files):
    # Each language's own idea of whitespace (str.strip, String.strip, trim, TrimSpace) differs:
    # the recipes take away exactly spaces, tabs and line ends, so one token has one spelling.
    key = key_files["key"]
    token = ".".join(_sealed(key, _header(key))).encode() + after
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token)
    _refused(done, lang, "base64url")  # a character no base64url part has, at the tag's end


@pytest.mark.parametrize("lang", LANGS)
def test_an_iv_that_is_not_96_bits_is_refused(lang, key_files):
    key = key_files["key"]
    token = ".".join(_sealed(key, _header(key), iv_size=16))  # sealed with that IV: it opens
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token.encode())
    _refused(done, lang, "parse")


@pytest.mark.parametrize("lang", LANGS)
def test_a_token_of_four_parts_is_a_parse_error(lang, key_files):
    key = key_files["key"]
    token = ".".join(_sealed(key, _header(key))[:4])
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token.encode())
    _refused(done, lang, "parse")


@pytest.mark.parametrize("lang", STANDARD)
def test_a_stage_recipe_refuses_private_members_that_disagree(lang, key_files, tmp_path):
    private = key_files["key"].to_jwk(private=True)
    wrong_dp = int.from_bytes(b64url_decode(private["dp"]), "big") + 2
    jwk = private | {"dp": b64url_encode(wrong_dp.to_bytes(128, "big"))}
    token = jwe_steps.encrypt(SECRET, key_files["key"].public_key(), alg="RSA-OAEP-256",
                              enc="A256GCM").token  # fmt: skip
    done = run(lang, "decrypt", str(_write(tmp_path, "wrong_dp", jwk)), stdin=token.encode())
    _refused(done, lang, "jwk")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", ["encrypt", "decrypt"])
def test_a_write_that_fails_is_an_output_error(lang, command, key_files):
    # A full disk must not look like success (Java's PrintStream swallows the error) nor
    # print a stack trace.
    need(lang)
    files = key_files["files"]
    key_file = files["public" if command == "encrypt" else "private"]
    stdin = (
        SECRET
        if command == "encrypt"
        else jwe_steps.encrypt(
            SECRET, key_files["key"].public_key(), alg="RSA-OAEP-256", enc="A256GCM"
        ).token.encode()
    )
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [str(RUN), lang, command, str(key_file)], input=stdin, stdout=full,
            stderr=subprocess.PIPE, env=recipe_env(), timeout=120,
        )  # fmt: skip
    _refused(subprocess.CompletedProcess(done.args, done.returncode, b"", done.stderr), lang,
             "output")  # fmt: skip


@pytest.mark.parametrize("lang", LANGS)
def test_stdin_that_is_a_directory_is_an_input_error(lang, key_files, tmp_path):
    need(lang)
    folder = os.open(tmp_path, os.O_RDONLY)
    try:
        done = subprocess.run(
            [str(RUN), lang, "decrypt", str(key_files["files"]["private"])], stdin=folder,
            capture_output=True, env=recipe_env(), timeout=120,
        )  # fmt: skip
    finally:
        os.close(folder)
    _refused(done, lang, "input")


def _sealed_short_key(key: Any) -> list[str]:
    """A token whose encrypted key is one byte short: the RSA result began with 0x00 and that
    byte was dropped (RFC 8017 §7.1.2 step 1: a ciphertext must be exactly k bytes)."""
    while True:
        parts = _sealed(key, _header(key))
        encrypted_key = b64url_decode(parts[1])
        if encrypted_key[0] == 0:
            return [parts[0], b64url_encode(encrypted_key[1:]), *parts[2:]]


@pytest.mark.parametrize("lang", LANGS)
def test_an_encrypted_key_shorter_than_the_modulus_is_refused(lang, key_files):
    # The same CEK under two spellings of one RSA ciphertext: malleable, and refused by pyca.
    token = ".".join(_sealed_short_key(key_files["key"]))
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token.encode())
    _refused(done, lang, "decrypt")


def _disagreeing_private_keys(private: dict[str, Any]) -> dict[str, dict[str, Any]]:
    def plus_two(name: str) -> dict[str, Any]:
        value = int.from_bytes(b64url_decode(private[name]), "big") + 2
        size = len(b64url_decode(private[name])) + 1
        return private | {name: b64url_encode(value.to_bytes(size, "big").lstrip(b"\0"))}

    return {
        "a wrong d with the right CRT members": plus_two("d"),
        "a wrong dp": plus_two("dp"),
        "a wrong qi": plus_two("qi"),
        "p and q swapped": private | {"p": private["q"], "q": private["p"]},
    }


@pytest.mark.parametrize("lang", LANGS)
def test_private_members_that_disagree_are_refused_as_jwk(lang, key_files, tmp_path):
    # A library that decrypts with the CRT members alone would take a wrong d (and the
    # reverse): a key file that is not one RSA key is refused before it is used.
    private = key_files["key"].to_jwk(private=True)
    token = jwe_steps.encrypt(SECRET, key_files["key"].public_key(), alg="RSA-OAEP-256",
                              enc="A256GCM").token  # fmt: skip
    for name, jwk in _disagreeing_private_keys(private).items():
        path = _write(tmp_path, name.replace(" ", "_"), jwk)
        _refused(run(lang, "decrypt", str(path), stdin=token.encode()), lang, "jwk")


@pytest.mark.parametrize("lang", LANGS)
def test_a_byte_order_mark_is_not_json(lang, key_files, tmp_path):
    # RFC 8259 §8.1: a JSON text is not to begin with a BOM; one token or key, one spelling.
    key = key_files["key"]
    token = ".".join(_sealed(key, b"\xef\xbb\xbf" + json.dumps(_header(key)).encode()))
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token.encode())
    _refused(done, lang, "json")
    path = tmp_path / "demo_bom.pub.jwk"
    path.write_bytes(b"\xef\xbb\xbf" + key_files["files"]["public"].read_bytes())
    _refused(run(lang, "encrypt", str(path), stdin=SECRET), lang, "json")


# ------------------------------------------------ a JSON member name given twice: refused
#
# JSON.parse, json.loads and Go's encoding/json keep the last of a member name given twice (and
# Nimbus does, inside an object); a reader that keeps the first, or refuses, sees another header,
# claim or key from the same bytes (a parser differential). So every recipe, library or not,
# refuses one, as the stage word json, wherever it reads JSON: a token's protected header, a key
# file, and in kyc the JWKS (its entries too), the registration answer, the answer's JWE and JWS
# headers and its claims. Each case below puts the value a reader should not take first and the
# right one last, so a reader that keeps the last would go on and succeed; "\u006bid" is "kid"
# spelled with an escape: one name.


def _twice_headers(kid: str) -> list[bytes]:
    start = '{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"KID"'
    headers = [
        '{"alg":"RSA-OAEP-256","enc":"A128GCM","kid":"KID","enc":"A256GCM"}',
        start + ',"\\u006bid":"KID"}',
        start + ',"jwk":{"kty":"RSA","kty":"EC"}}',  # a member twice in a nested object
    ]
    return [header.replace("KID", kid).encode() for header in headers]


@pytest.mark.parametrize("lang", LANGS)
def test_a_protected_header_with_a_member_twice_is_refused_as_json(lang, key_files):
    key = key_files["key"]
    private = str(key_files["files"]["private"])
    plain = ".".join(_sealed(key, _header(key)))  # the same token without a repeated member
    opened = run(lang, "decrypt", private, stdin=plain.encode())
    assert opened.returncode == 0 and opened.stdout == SECRET, opened.stderr.decode()[-2000:]
    for header in _twice_headers(key.kid):
        token = ".".join(_sealed(key, header))
        _refused(run(lang, "decrypt", private, stdin=token.encode()), lang, "json")


def _headers_read_apart(kid: str) -> list[bytes]:
    """Protected headers that readers of one token could read apart, each refused as json by
    every recipe: a lone surrogate in a value or a name, nesting 33 deep, an array."""
    start = '{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":' + json.dumps(kid)
    return [
        (start + ',"typ":"\\ud800"}').encode(),
        (start + ',"\\udc00":"x"}').encode(),
        (start + ',"x":' + _nested_list(MAX_DEPTH + 1) + "}").encode(),
        b'["RSA-OAEP-256","A256GCM"]',
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_a_protected_header_recipes_would_read_apart_is_refused_as_json(lang, key_files):
    key = key_files["key"]
    private = str(key_files["files"]["private"])
    paired = json.dumps(_header(key)).encode()[:-1] + b', "typ": "\\ud83d\\ude00"}'
    token = ".".join(_sealed(key, paired))  # a surrogate pair is one character: taken
    opened = run(lang, "decrypt", private, stdin=token.encode())
    assert opened.returncode == 0 and opened.stdout == SECRET, opened.stderr.decode()[-2000:]
    for header in _headers_read_apart(key.kid):
        token = ".".join(_sealed(key, header))
        _refused(run(lang, "decrypt", private, stdin=token.encode()), lang, "json")


@pytest.mark.parametrize("lang", LANGS)
def test_a_key_file_with_a_member_twice_is_refused_as_json(lang, key_files, tmp_path):
    files = key_files["files"]
    public = files["public"].read_bytes()
    # Not twice: a name repeated as a string in an array, in another object, or as a value, and
    # two names that differ only after an escaped quote.
    alike = tmp_path / "demo_alike.pub.jwk"
    alike.write_bytes(
        b'{"x-note":["kid","kid"],"x-more":{"kid":"kid"},"a\\"b":1,"a":1,' + public[1:]
    )
    sealed = run(lang, "encrypt", str(alike), stdin=SECRET)
    assert sealed.returncode == 0, sealed.stderr.decode()[-2000:]
    twice_e = tmp_path / "demo_e_twice.pub.jwk"  # a DEMO key, e = 1 first, the right e last
    twice_e.write_bytes(b'{"e":"AQ",' + public[1:])
    _refused(run(lang, "encrypt", str(twice_e), stdin=SECRET), lang, "json")
    private = json.loads(files["private"].read_bytes())
    twice_d = tmp_path / "demo_d_twice.jwk"
    twice_d.write_text('{"d":"AQAB",' + json.dumps(private)[1:])
    token = jwe_steps.encrypt(SECRET, key_files["key"].public_key(), alg="RSA-OAEP-256",
                              enc="A256GCM").token  # fmt: skip
    _refused(run(lang, "decrypt", str(twice_d), stdin=token.encode()), lang, "json")


@pytest.mark.parametrize("lang", LANGS)
def test_a_key_file_recipes_would_read_apart_is_refused_as_json(lang, key_files, tmp_path):
    public = key_files["files"]["public"].read_bytes()
    cases = {
        "lone_surrogate": b'{"x-note":"\\ud800",' + public[1:],
        "lone_surrogate_name": b'{"\\udc00":1,' + public[1:],
        "nested_33": b'{"x-note":' + _nested_list(MAX_DEPTH + 1).encode() + b"," + public[1:],
        "array": b"[" + public + b"]",
    }
    for name, text in cases.items():
        path = tmp_path / f"demo_{name}.pub.jwk"  # a DEMO key, wrapped
        path.write_bytes(text)
        _refused(run(lang, "encrypt", str(path), stdin=SECRET), lang, "json")
    paired = tmp_path / "demo_paired.pub.jwk"
    paired.write_bytes(b'{"x-note":"\\ud83d\\ude00",' + public[1:])  # one character: taken
    sealed = run(lang, "encrypt", str(paired), stdin=SECRET)
    assert sealed.returncode == 0, sealed.stderr.decode()[-2000:]


# The answer's parts as text, by mode. In the claims REST stands for the right aud, iat, exp,
# in_reply_to and pan; in a header KID for the right kid.
ISS = '"iss":"jwe-steps-practice"'
CLAIMS = "{" + ISS + ",REST}"
CLAIMS_TWICE = {
    "claims iss twice": '{"iss":"client-someone-else",REST,' + ISS + "}",
    "claims pan and an escaped pan": "{" + ISS + ',REST,"\\u0070an":"ZZZZZ9999Z"}',
    "claims member twice in a nested object": "{" + ISS + ',REST,"ad":{"city":"A","city":"B"}}',
}
# JSON every recipe refuses alike, as a json error, whether it reads the claims (or the answer's
# JWS header) itself or a JOSE library does (which would call them a JWS it cannot parse, or a
# signature that does not verify): claims that are no object, nesting deeper than MAX_DEPTH,
# just over it and far over it (past Python's recursion limit and Jackson's and encoding/json's
# own caps; under joserfc's cap on a JWS payload's size), and lone surrogates. 32 deep is taken.
CLAIMS_UNREADABLE = {
    "claims that are an array": "[" + ISS.replace(":", ",") + "]",
    "claims nested 33 deep": "{" + ISS + ',REST,"ad":' + _nested_list(MAX_DEPTH + 1) + "}",
    "claims nested 20000 deep": "{" + ISS + ',REST,"ad":' + _nested_list(20_000) + "}",
    # A \u escape of half a surrogate pair is no character (RFC 8259 §8.2): some readers keep
    # it, encoding/json makes it U+FFFD, Jackson writes it as "?". Refused as jwe_steps does.
    "claims with a lone surrogate": "{" + ISS + ',REST,"name":"\\ud800"}',
    "claims with a lone surrogate as a name": "{" + ISS + ',REST,"\\udc00":1}',
}
CLAIMS_TAKEN = {
    "claims nested 32 deep": "{" + ISS + ',REST,"ad":' + _nested_list(MAX_DEPTH) + "}",
    "claims with a surrogate pair": "{" + ISS + ',REST,"name":"\\ud83d\\ude00"}',
    # Over joserfc's default cap on a JWS payload (128 000 bytes), well under the recipes' 1 MiB
    # cap on an answer.
    "claims of 200 000 bytes": "{" + ISS + ',REST,"ad":"' + "x" * 200_000 + '"}',
}
JWS_HEADER = '{"alg":"ES256","typ":"JWT","kid":"KID"}'
JWS_HEADERS_UNREADABLE = {
    "jws header that is an array": '["ES256","JWT","KID"]',
    "jws header nested 33 deep": JWS_HEADER[:-1] + ',"x":' + _nested_list(MAX_DEPTH + 1) + "}",
}
JWS_HEADERS_TWICE = {
    "jws header typ twice": '{"alg":"ES256","typ":"secevent+jwt","kid":"KID","typ":"JWT"}',
    "jws header kid and an escaped kid": '{"alg":"ES256","typ":"JWT","kid":"x","\\u006bid":"KID"}',
}
JWE_HEADER_TWICE = (
    '{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"KID","cty":"text/plain","cty":"JWT"}'
)


class _Twice(_Impostor):
    """test_recipes' impostor server, honest but for one member given twice (by mode) in the
    JSON it sends: the JWKS, the registration answer, the answer's JWE or JWS header, or the
    claims. Its answer is signed with ES256 and encrypted with cty "JWT" as the API's are."""

    def _send(self, status: int, body: bytes, media_type: str) -> None:
        if self.mode == "jwks keys twice" and self.command == "GET":
            body = b'{"keys": [],' + body[1:]
        elif self.mode == "jwks entry kty twice" and self.command == "GET":
            body = body.replace(b'"kty": "EC"', b'"kty": "RSA", "kty": "EC"', 1)
        elif self.mode == "registration client_id twice" and status == 201:
            body = b'{"client_id": "client-someone-else", ' + body[1:]
        super()._send(status, body, media_type)

    def _answer(self, jti: str, client_id: str, client_enc: Any) -> bytes:
        now = int(time.time())
        rest = f'"aud":"{client_id}","iat":{now},"exp":{now + 300},"in_reply_to":"{jti}"'
        shapes = {**CLAIMS_TWICE, **CLAIMS_UNREADABLE, **CLAIMS_TAKEN}
        claims = shapes.get(self.mode, CLAIMS).replace("REST", rest + ',"pan":"ABCDE1234F"')
        headers = {**JWS_HEADERS_TWICE, **JWS_HEADERS_UNREADABLE}
        header = headers.get(self.mode, JWS_HEADER).replace("KID", self.signing.kid)
        signed = jws_by_hand(header.encode(), claims.encode(), self.signing)
        if self.mode == "jwe header cty twice":
            jwe_header = JWE_HEADER_TWICE.replace("KID", client_enc.kid).encode()
            return ".".join(_sealed(client_enc, jwe_header, plaintext=signed)).encode()
        members = {"kid": client_enc.kid, "cty": "JWT"}
        sealed = jwe_steps.encrypt(signed, client_enc, alg="RSA-OAEP-256", enc="A256GCM",
                                   header=members)  # fmt: skip
        return sealed.token.encode()


TWICE_MODES = (
    "jwks keys twice",
    "jwks entry kty twice",
    "registration client_id twice",
    "jwe header cty twice",
    *JWS_HEADERS_TWICE,
    *CLAIMS_TWICE,
)


@pytest.fixture(scope="module")
def twice_server():
    handler = type("Twice", (_Twice,), {"clients": {}, "mode": "honest"})
    handler.encryption = jwe_steps.generate_key("RSA", size=2048)  # DEMO keys (kid demo-...)
    handler.signing = jws.generate_signing_key("ES256", kid="demo-twice-sig")
    with serving(handler) as url:
        yield handler, url


def _taken(lang: str, mode: str, server: tuple[Any, str]) -> dict[str, Any]:
    """The claims ``lang``'s kyc prints for the answer ``mode`` makes, once it has taken it."""
    handler, url = server
    handler.mode = mode
    done = run(lang, "kyc", url)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    claims: dict[str, Any] = json.loads(done.stdout)
    assert claims["iss"] == "jwe-steps-practice" and claims["pan"] == "ABCDE1234F"
    return claims


@pytest.mark.parametrize("lang", LANGS)
def test_kyc_takes_the_answer_when_no_member_is_given_twice(lang, twice_server):
    _taken(lang, "honest", twice_server)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("mode", [*TWICE_MODES, *JWS_HEADERS_UNREADABLE, *CLAIMS_UNREADABLE])
def test_kyc_refuses_json_twice_or_that_recipes_would_read_apart(lang, mode, twice_server):
    handler, url = twice_server
    handler.mode = mode
    _refused(run(lang, "kyc", url), lang, "json")


@pytest.mark.parametrize("lang", LANGS)
def test_kyc_takes_claims_32_deep_with_a_surrogate_pair_or_large(lang, twice_server):
    deep = _taken(lang, "claims nested 32 deep", twice_server)
    assert len(deep["ad"]) == 1  # the outer array, holding the others
    paired = _taken(lang, "claims with a surrogate pair", twice_server)
    assert paired["name"] == "\N{GRINNING FACE}"  # the pair, one character
    assert _taken(lang, "claims of 200 000 bytes", twice_server)["ad"] == "x" * 200_000
