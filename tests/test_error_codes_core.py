"""The core raises specific codes where the practice server used to guess them from words.

Each case is a situation the server's word tables (``server._SERIALIZATION_CODES``,
``_BASE64URL_CODES``, ``_HEADER_CODES``) recognized; the error decrypt() raises now carries
that code itself, so the server can read ``error.code``.
"""

from __future__ import annotations

import json

import pytest

import jwe_steps
from jwe_steps import JWEError
from jwe_steps.b64 import b64url_encode
from jwe_steps.errors import CODES

KEY = bytes(16)
GOOD = jwe_steps.encrypt(b"x", KEY, alg="A128KW", enc="A128GCM").token
PARTS = GOOD.split(".")


def _with_header(header: object) -> str:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return ".".join([b64url_encode(raw), *PARTS[1:]])


def _with_part(index: int, text: str) -> str:
    return ".".join([*PARTS[:index], text, *PARTS[index + 1 :]])


CASES = {
    "format.segments": "a.b.c",
    "format.whitespace": GOOD + "\n",
    "format.empty_header": ".".join(["", *PARTS[1:]]),
    "base64url.padding": _with_part(2, PARTS[2][:-2] + "=="),
    "base64url.alphabet": _with_part(2, "+" + PARTS[2][1:]),
    "base64url.length": _with_part(2, PARTS[2] + "A"),
    "base64url.noncanonical": _with_part(3, PARTS[3][:-1] + "B"),
    "base64url.character": _with_part(2, "*" + PARTS[2][1:]),
    "header.utf8": _with_header(b'{"alg":"A128KW","enc":"\xff"}'),
    "header.json": _with_header([1, 2]),
    "header.missing_member": _with_header({"enc": "A128GCM"}),
    "header.member_type": _with_header({"alg": "A128KW", "enc": 128}),
    "header.crit": _with_header({"alg": "A128KW", "enc": "A128GCM", "crit": ["exp"], "exp": 1}),
    "header.zip": _with_header({"alg": "A128KW", "enc": "A128GCM", "zip": "GZIP"}),
    "header.unsupported_alg": _with_header({"alg": "A128KW ", "enc": "A128GCM"}),
    "algorithm.not_allowed": _with_header({"alg": "RSA1_5", "enc": "A128GCM"}),
    "iv.length": _with_part(2, "AAAA"),
    "tag.length": _with_part(4, ""),
    "decryption.failed": _with_part(
        4, "A" + PARTS[4][1:] if PARTS[4][0] != "A" else "B" + PARTS[4][1:]
    ),
}


@pytest.mark.parametrize("code", CASES)
def test_decrypt_raises_the_code_the_server_used_to_guess(code):
    assert code in CODES
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(CASES[code], KEY)
    assert caught.value.code == code, caught.value


def test_a_wrong_key_and_a_wrong_length_key_fail_alike():
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(GOOD, bytes(range(16)))
    assert caught.value.code == "decryption.failed"
    with pytest.raises(JWEError) as caught:
        jwe_steps.decrypt(GOOD, bytes(24))
    assert caught.value.code == "key.size"


CORE_MODULES = [
    "aad.py", "allow_list.py", "b64.py", "cek.py", "decryption.py", "deflate.py",
    "encryption.py", "header.py", "iv.py", "kdf.py", "limits.py", "pipeline.py", "primitives.py",
    "serialization.py", "algorithms/*.py", "from_scratch/*.py",
]  # fmt: skip


def test_every_error_the_core_constructs_names_its_code():
    """A class default is not enough: each raise site says which situation it is."""
    import ast
    from pathlib import Path

    from jwe_steps import errors

    package = Path(errors.__file__).parent
    classes = {"JWEError", *(n for n in errors.__all__ if n.endswith("Error"))}
    missing = []
    for pattern in CORE_MODULES:
        for path in sorted(package.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in classes
                    and not any(keyword.arg == "code" for keyword in node.keywords)
                ):
                    missing.append(f"{path.relative_to(package)}:{node.lineno}")
    assert not missing
