"""`jwe-steps explain`: output formats, exit codes, colour, and robustness on mangled tokens."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwe_steps
from jwe_steps import explain
from jwe_steps.cli import main
from jwe_steps.diagnose import FINDING_CODES as CODES
from jwe_steps.view.text import explanation_text

ROOT = Path(__file__).resolve().parent.parent
RECIPIENT = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # a DEMO key
KEY = jwe_steps.load_key(RECIPIENT)
PLAINTEXT = b"demo message"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def peer_token(*, oaep_hash: Any = hashes.SHA256, append_tag: bool = False) -> str:
    """An RSA-OAEP-256 + A256GCM token built with pyca/cryptography, as a peer would."""
    header = b64u(b'{"alg":"RSA-OAEP-256","enc":"A256GCM"}')
    cek, iv = os.urandom(32), os.urandom(12)
    scheme = padding.OAEP(mgf=padding.MGF1(oaep_hash()), algorithm=oaep_hash(), label=None)
    encrypted_key = RECIPIENT.public_key().encrypt(cek, scheme)
    sealed = AESGCM(cek).encrypt(iv, PLAINTEXT, header.encode())
    ciphertext, tag = (sealed, b"") if append_tag else (sealed[:-16], sealed[-16:])
    return ".".join([header, b64u(encrypted_key), b64u(iv), b64u(ciphertext), b64u(tag)])


VALID = peer_token()
SHA1_OAEP = peer_token(oaep_hash=hashes.SHA1)
APPENDED = peer_token(append_tag=True)


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "demo-private.jwk"
    path.write_text(json.dumps(KEY.to_jwk(private=True)), encoding="utf-8")
    return path


# ---------------------------------------------------------------- JSON output and exit codes


def test_json_for_a_valid_token(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, out = run_cli(
        ["explain", "--key", str(key_file), "--format", "json"], VALID, monkeypatch, capsys
    )
    report = json.loads(out)
    assert code == 0
    assert {"ok", "failed_stage", "steps", "diagnosis"} <= set(report)
    assert report["ok"] is True and report["failed_stage"] is None and report["diagnosis"] == []
    assert [s["name"] for s in report["steps"]][-1] == "plaintext"


@pytest.mark.parametrize(
    "token, stage, codes",
    [
        (SHA1_OAEP, "key_management", ["oaep.hash_mismatch"]),
        (APPENDED, "tag", ["tag.appended_to_ciphertext"]),
        (VALID + "==", "base64url", ["base64url.padding"]),
        (VALID + "\n", "serialization", ["format.whitespace"]),
        (VALID + "\r\n", "serialization", ["format.whitespace"]),
        (json.dumps(VALID), "base64url", ["format.quoted"]),
    ],
    ids=["oaep", "tag", "padding", "newline", "crlf", "quoted"],
)
def test_json_for_a_broken_token(
    token: str,
    stage: str,
    codes: list[str],
    key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    code, out = run_cli(
        ["explain", "--key", str(key_file), "--format", "json"], token, monkeypatch, capsys
    )
    report = json.loads(out)
    assert code == 1
    assert report["ok"] is False and report["failed_stage"] == stage
    assert [d["code"] for d in report["diagnosis"]] == codes
    assert all(set(d) == {"code", "stage", "message", "fix"} for d in report["diagnosis"])


def test_a_json_serialized_token_on_stdin(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    header, encrypted_key, iv, ciphertext, tag = APPENDED.split(".")
    token = json.dumps(
        {
            "protected": header,
            "encrypted_key": encrypted_key,
            "iv": iv,
            "ciphertext": ciphertext,
            "tag": tag,
        }
    )
    code, out = run_cli(
        ["explain", "--key", str(key_file), "--format", "json"], token, monkeypatch, capsys
    )
    assert code == 1
    assert [d["code"] for d in json.loads(out)["diagnosis"]] == ["tag.appended_to_ciphertext"]


def test_text_report(key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    code, out = run_cli(["explain", "--key", str(key_file)], APPENDED, monkeypatch, capsys)
    assert code == 1
    assert "FAILED at stage 'tag'" in out
    assert "[tag.appended_to_ciphertext]" in out and "fix: Split the AEAD output" in out
    assert not ANSI.search(out), "no colour when stdout is not a TTY"


def test_text_report_for_a_valid_token(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, out = run_cli(["explain", "--key", str(key_file)], VALID, monkeypatch, capsys)
    assert code == 0 and out.rstrip().endswith("OK: the token decrypts.")


def test_usage_errors_exit_2(
    tmp_path: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, _ = run_cli(
        ["explain", "--key", str(tmp_path / "missing.jwk")], VALID, monkeypatch, capsys
    )
    assert code == 2
    with pytest.raises(SystemExit) as exited:
        main(["explain", "--key", str(key_file), "--format", "xml"])
    assert exited.value.code == 2


def test_help_says_it_is_a_debugging_aid(capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["explain", "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "debugging aid for your own keys and tokens" in text
    assert "RFC 7516 §11.5" in text and "decryption.failed" in text and "--redact" in text


def test_the_installed_command(key_file: Path) -> None:
    command = ROOT / ".venv" / "bin" / "jwe-steps"
    if not command.exists():
        pytest.skip(f"{command} is not installed (pip install -e . provides it)")
    result = subprocess.run(
        [str(command), "explain", "--key", str(key_file), "--format", "json"],
        input=SHA1_OAEP.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert [d["code"] for d in json.loads(result.stdout)["diagnosis"]] == ["oaep.hash_mismatch"]


# ---------------------------------------------------------------- colour


def test_colour_only_when_asked_and_same_text_without_it() -> None:
    report = explain(APPENDED, KEY)
    plain = explanation_text(report)
    coloured = explanation_text(report, color=True)
    assert not ANSI.search(plain)
    assert "\x1b[38;5;" in coloured
    assert ANSI.sub("", coloured) == plain
    assert str(report) == plain


# ---------------------------------------------------------------- robustness

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=."


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["replace", "delete", "insert"]),
            st.integers(0, 10_000),
            st.sampled_from(ALPHABET),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_mangled_tokens_never_crash_and_never_invent(edits: list[tuple[str, int, str]]) -> None:
    """Any edit: explain returns a report; only known codes; a token that decrypts has none."""
    token = list(VALID)
    for action, position, char in edits:
        index = position % (len(token) + (action == "insert"))
        if action == "replace" and token:
            token[index % len(token)] = char
        elif action == "delete" and token:
            del token[index % len(token)]
        else:
            token.insert(index, char)
    report = explain("".join(token), KEY)
    assert all(f.code in CODES for f in report.diagnosis)
    if (
        report.ok
    ):  # a JSON token that decrypts: only the note that compact-only recipients refuse it
        assert [f.code for f in report.diagnosis] in ([], ["format.json_serialization"])
    json.loads(report.to_json())  # always serializable


@settings(max_examples=150, deadline=None)
@given(header_json=st.binary(max_size=80) | st.text(max_size=60).map(lambda t: t.encode("utf-8")))
def test_any_header_bytes_never_crash(header_json: bytes) -> None:
    """Whatever the sender put in the header part, explain reports and does not raise."""
    rest = VALID.split(".", 1)[1]
    report = explain(f"{b64u(header_json)}.{rest}", KEY)
    assert not report.ok
    assert all(f.code in CODES for f in report.diagnosis)


@settings(max_examples=80, deadline=None)
@given(
    member=st.sampled_from(
        ["protected", "encrypted_key", "iv", "ciphertext", "tag", "aad", "header"]
    ),
    value=st.one_of(
        st.text(alphabet=ALPHABET, max_size=40),
        st.integers(),
        st.none(),
        st.lists(st.integers(), max_size=2),
    ),
)
def test_mangled_json_members_never_crash(member: str, value: Any) -> None:
    header, encrypted_key, iv, ciphertext, tag = VALID.split(".")
    token: dict[str, Any] = {
        "protected": header,
        "encrypted_key": encrypted_key,
        "iv": iv,
        "ciphertext": ciphertext,
        "tag": tag,
    }
    token[member] = value
    report = explain(token, KEY)
    assert all(f.code in CODES for f in report.diagnosis)
    if report.ok:
        assert report.diagnosis == []


def test_the_html_report_escapes_what_the_token_says() -> None:
    """A kid is the sender's text: in a notebook it must show as text, never as markup."""
    header = b64u(b'{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<script>alert(1)</script>"}')
    token = ".".join([header, *APPENDED.split(".")[1:]])
    key_set = {"keys": [{**KEY.to_jwk(private=True), "kid": "mine"}]}
    html = explain(token, key_set)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("suffix", ["\n", "\r\n"])
def test_python_cli_and_server_name_a_trailing_newline_alike(
    suffix: str, key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from jwe_steps.server import classify

    token = VALID + suffix
    python_codes = [f.code for f in explain(token, KEY).diagnosis]
    _, out = run_cli(
        ["explain", "--key", str(key_file), "--format", "json"], token, monkeypatch, capsys
    )
    cli_codes = [d["code"] for d in json.loads(out)["diagnosis"]]
    with pytest.raises(jwe_steps.JWEError) as raised:
        jwe_steps.decrypt(token, KEY)
    assert python_codes == cli_codes == [classify(raised.value)[1]] == ["format.whitespace"]


def test_text_report_shows_notes_for_a_token_that_decrypts(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    general = jwe_steps.encrypt(
        PLAINTEXT,
        recipients=[{"key": KEY.public_key(), "alg": "RSA-OAEP-256"}],
        enc="A256GCM",
        serialization="general",
    ).token
    token = {**general, "encrypted_key": general["recipients"][0]["encrypted_key"]}
    report = explain(token, KEY)
    _, out = run_cli(["explain", "--key", str(key_file)], json.dumps(token), monkeypatch, capsys)
    assert "[format.ignored_member]" in out
    codes = [f.code for f in report.diagnosis]
    assert codes == ["format.json_serialization", "format.ignored_member"]
