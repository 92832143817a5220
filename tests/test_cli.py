"""The jwe-steps command line: keygen, encrypt, decrypt, exit codes, and --help everywhere."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from _certificates import make_certificate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwe_steps
from jwe_steps.cli import main


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "jwe_steps.cli", *args], input=stdin, capture_output=True, timeout=60
    )


@pytest.fixture(scope="module")
def keys(tmp_path_factory, rsa_key) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("keys")
    paths = {
        "private": folder / "private.jwk",
        "public": folder / "public.jwk",
        "pem": folder / "private.pem",
        "jwks": folder / "keys.jwks",
    }
    paths["private"].write_text(json.dumps(rsa_key.to_jwk(private=True)))
    paths["public"].write_text(json.dumps(rsa_key.to_jwk()))
    paths["pem"].write_bytes(rsa_key.to_pem(private=True))
    other = jwe_steps.generate_key("RSA")
    paths["jwks"].write_text(
        json.dumps({"keys": [other.to_jwk(private=True), rsa_key.to_jwk(private=True)]})
    )
    return paths


def test_keygen_writes_a_labelled_demo_key_pair(tmp_path):
    result = run(
        "keygen", "--out", str(tmp_path / "k.jwk"), "--public-out", str(tmp_path / "p.jwk")
    )
    assert result.returncode == 0
    assert b"DEMO key" in result.stderr and b"None" not in result.stderr
    named = run("keygen", "--kty", "oct", "--size", "128", "--kid", "mine")
    assert b"kid 'demo-mine'" in named.stderr and json.loads(named.stdout)["kid"] == "demo-mine"
    private = json.loads((tmp_path / "k.jwk").read_text())
    public = json.loads((tmp_path / "p.jwk").read_text())
    assert private["kid"].startswith("demo-") and private["kid"] == public["kid"]
    assert "d" in private and "d" not in public and public["kty"] == "RSA"
    assert jwe_steps.load_key(private).size_bits == 2048


@pytest.mark.parametrize(
    ("kty", "extra", "curve"),
    [
        ("EC", ["--crv", "P-384"], "P-384"),
        ("EC", [], "P-256"),
        ("OKP", [], "X25519"),  # each key type its own default curve
        ("OKP", ["--crv", "X448"], "X448"),
        ("oct", ["--size", "256"], None),
    ],
)
def test_keygen_other_key_types_print_to_stdout(kty, extra, curve):
    result = run("keygen", "--kty", kty, *extra)
    assert result.returncode == 0, result.stderr
    key = jwe_steps.load_key(json.loads(result.stdout))
    assert key.kty == kty and key.demo and key.curve == curve


def test_encrypt_then_decrypt_round_trips_arbitrary_bytes(keys):
    plaintext = b"line one\nline two\x00\xff"
    sealed = run("encrypt", "--key", str(keys["public"]), stdin=plaintext)
    assert sealed.returncode == 0, sealed.stderr
    token = sealed.stdout.decode().strip()
    assert jwe_steps.decrypt(token, jwe_steps.load_key(keys["private"].read_text())).header == {
        "alg": "RSA-OAEP-256",
        "enc": "A256GCM",
        "kid": json.loads(keys["public"].read_text())["kid"],
    }
    for key_file in ("private", "pem", "jwks"):
        opened = run("decrypt", "--key", str(keys[key_file]), stdin=sealed.stdout)
        assert opened.returncode == 0, (key_file, opened.stderr)
        assert opened.stdout == plaintext


def test_encrypt_honours_alg_enc_and_header(keys):
    sealed = run(
        "encrypt", "--key", str(keys["public"]), "--alg", "RSA-OAEP", "--enc", "A128CBC-HS256",
        "--header", '{"cty": "text/plain"}', stdin=b"hi",
    )  # fmt: skip
    assert sealed.returncode == 0, sealed.stderr
    trace = jwe_steps.decrypt(
        sealed.stdout.decode().strip(), json.loads(keys["private"].read_text())
    )
    assert trace.header["alg"] == "RSA-OAEP" and trace.header["enc"] == "A128CBC-HS256"
    assert trace.header["cty"] == "text/plain" and trace.plaintext == b"hi"


def test_a_failed_decryption_is_one_line_naming_the_stage(keys):
    result = run("decrypt", "--key", str(keys["private"]), stdin=b"not.a.token")
    assert result.returncode == 1 and result.stdout == b""
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "[serialization]" in lines[0]
    token = run("encrypt", "--key", str(keys["public"]), stdin=b"x").stdout.decode().strip()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BA")
    result = run("decrypt", "--key", str(keys["private"]), stdin=tampered.encode())
    assert result.returncode == 1 and b"[content_decryption]" in result.stderr


def test_rsa1_5_needs_an_explicit_allow(keys, rsa_key):
    token = jwe_steps.encrypt(
        b"legacy",
        rsa_key.public_key(),
        alg="RSA1_5",
        enc="A128GCM",
        algorithms=["RSA1_5", "A128GCM"],
    ).token
    refused = run("decrypt", "--key", str(keys["private"]), stdin=token.encode())
    assert refused.returncode == 1 and b"RSA1_5" in refused.stderr
    allowed = run(
        "decrypt",
        "--key",
        str(keys["private"]),
        "--allow",
        "RSA1_5",
        "--allow",
        "A128GCM",
        stdin=token.encode(),
    )
    assert allowed.returncode == 0 and allowed.stdout == b"legacy"


def test_rsa1_5_is_sent_only_with_an_explicit_allow_too(keys, rsa_key):
    refused = run("encrypt", "--key", str(keys["public"]), "--alg", "RSA1_5", stdin=b"legacy")
    assert refused.returncode == 1 and b"(code algorithm.not_allowed)" in refused.stderr
    allow = ("--allow", "RSA1_5", "--allow", "A256GCM")
    sent = run("encrypt", "--key", str(keys["public"]), "--alg", "RSA1_5", *allow, stdin=b"legacy")
    assert sent.returncode == 0, sent.stderr
    opened = jwe_steps.decrypt(sent.stdout.decode(), rsa_key, algorithms=["RSA1_5", "A256GCM"])
    assert opened.header["alg"] == "RSA1_5" and opened.plaintext == b"legacy"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("decrypt", "--key", "/nonexistent/key.jwk"), b"cannot read key file"),
        (("encrypt", "--key", "{public}", "--header", "[1]"), b"--header must be a JSON object"),
        (("encrypt", "--key", "{garbage}"), b"neither JSON"),
        ((), b"usage:"),
    ],
)
def test_usage_errors_exit_2(keys, tmp_path, args, fragment):
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("this is not a key")
    args = tuple(a.format(public=keys["public"], garbage=garbage) for a in args)
    result = run(*args, stdin=b"x")
    assert result.returncode == 2
    assert fragment in result.stderr


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ('{"kid": "a", "kid": "b"}', b"json.duplicate_member"),  # which kid was meant?
        ("[" * 50_000 + "]" * 50_000, b"json.depth"),
        ('{"note": "\\ud800"}', b"json.surrogate"),
        ('{"n": NaN}', b"json.number"),
        ("[1]", b"input.header"),
    ],
)
def test_header_argument_is_read_as_strictly_as_a_received_header(keys, header, code):
    result = run("encrypt", "--key", str(keys["public"]), "--header", header, stdin=b"x")
    assert result.returncode == 2 and code in result.stderr
    assert b"Traceback" not in result.stderr


def test_a_key_file_is_read_up_to_a_bound(tmp_path):
    huge = tmp_path / "huge.jwk"
    huge.write_bytes(b" " * (2 << 20) + b"{}")
    result = run("decrypt", "--key", str(huge), stdin=b"x")
    assert result.returncode == 2 and b"limits.exceeded" in result.stderr


@pytest.mark.parametrize(
    "command",
    [(), ("keygen",), ("encrypt",), ("decrypt",), ("explain",), ("inspect",), ("serve",)],
)
def test_help_everywhere(command):
    result = run(*command, "--help")
    assert result.returncode == 0 and b"usage: jwe-steps" in result.stdout


# ---------------------------------------------------------------- issue 13/16: clean exits, codes


class _Stdin:
    """A stand-in for sys.stdin whose .buffer serves ``data``, then (with ``endless``) zeros
    forever; it refuses an unbounded read(), which is what reading a huge input whole is."""

    def __init__(self, data: bytes = b"", *, endless: bool = False) -> None:
        self.buffer = self
        self.data, self.endless, self.served = data, endless, 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            if self.endless:
                raise AssertionError("stdin was read whole")
            size = len(self.data)
        chunk = self.data[self.served : self.served + size]
        if self.endless:
            chunk += b"0" * (size - len(chunk))
        self.served += len(chunk)
        return chunk


def main_with(args: list[str], stdin: bytes, monkeypatch, capsys, *, endless: bool = False):
    monkeypatch.setattr(sys, "stdin", _Stdin(stdin, endless=endless))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _no_traceback(result: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in result.stderr and b"Error:" not in result.stderr.split(b"\n")[0]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--size", "1024"), b"key.size"),
        (("--kty", "EC", "--crv", "P-999"), b"key.unsupported"),
        (("--kty", "OKP", "--crv", "P-256"), b"key.unsupported"),
        (("--kty", "oct", "--size", "7"), b"key.member"),
        (("--out", "/nonexistent-dir/sub/k.jwk"), b"cannot write"),
        (("--kty", "oct", "--public-out", "p.jwk"), b"no public half"),
    ],
)
def test_keygen_bad_arguments_exit_2_without_a_traceback(args, code):
    result = run("keygen", *args)
    assert result.returncode == 2, result.stderr
    _no_traceback(result)
    assert code in result.stderr


def test_keygen_writes_the_private_key_for_its_owner_only(tmp_path):
    import os
    import stat

    existing = tmp_path / "k.jwk"
    existing.write_text("old")
    existing.chmod(0o644)
    assert main(["keygen", "--kty", "oct", "--size", "128", "--out", str(existing)]) == 0
    assert stat.S_IMODE(os.stat(existing).st_mode) == 0o600
    fresh, public = tmp_path / "fresh.jwk", tmp_path / "p.jwk"
    assert main(["keygen", "--kty", "EC", "--out", str(fresh), "--public-out", str(public)]) == 0
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o600
    assert jwe_steps.load_key(fresh.read_text()).is_private


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("[" * 100_000, b"json.depth"),
        ('{"kty":"oct","k":"AAAA",}', b"json.invalid"),
        ('{"kty":"oct","k":"AAAA","kid":"\\ud800"}', b"json.surrogate"),
        ('{"kty":"oct","k":"AAAA","kty":"oct"}', b"json.duplicate_member"),
        ('{"kty":"RSA","n":"AAAA","e":"AQAB"}', b"key.size"),
        ('{"kty":"oct","k":"AAAA","key_ops":"encrypt"}', b"key.member"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", b"key.certificate"),
        ("\xff\xfe{}", b"key.format"),
    ],
)
def test_bad_key_files_exit_2_with_their_code(tmp_path, monkeypatch, capsys, content, code):
    path = tmp_path / "bad.jwk"
    path.write_bytes(content.encode("utf-8", "surrogatepass") if "\xff" not in content else b"\xff")
    status, out, err = main_with(["decrypt", "--key", str(path)], b"a.b.c.d.e", monkeypatch, capsys)
    assert status == 2 and out == ""
    assert code.decode() in err and "Traceback" not in err


@pytest.mark.parametrize(
    "stdin",
    [b"\x00\xff\xfe\x80 binary", "eyJhbGciOiJkaXIifQ.é.a.b.c".encode(), b"not.a.token"],
)
@pytest.mark.parametrize("command", ["decrypt", "explain"])
def test_a_bad_token_exits_1_whatever_its_bytes(keys, monkeypatch, capsys, stdin, command):
    status, _, err = main_with([command, "--key", str(keys["private"])], stdin, monkeypatch, capsys)
    assert status == 1, err


@pytest.mark.parametrize("command", ["decrypt", "explain"])
def test_an_unknown_allow_name_is_a_usage_error(keys, monkeypatch, capsys, command):
    with pytest.raises(SystemExit) as exited:
        main_with([command, "--key", str(keys["private"]), "--allow", "RSA-OAEP-999"],
                  b"x", monkeypatch, capsys)  # fmt: skip
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main_with(["encrypt", "--key", str(keys["public"]), "--enc", "A256GMC"], b"x",
                  monkeypatch, capsys)  # fmt: skip
    assert exited.value.code == 2


@pytest.mark.parametrize(
    "args",
    [["decrypt", "--key", "{private}"], ["explain", "--key", "{private}"], ["inspect"]],
)
def test_stdin_is_read_only_up_to_the_size_limit(keys, monkeypatch, capsys, args):
    from jwe_steps.limits import DEFAULT_LIMITS

    args = [a.format(private=keys["private"]) for a in args]
    monkeypatch.setattr(sys, "stdin", _Stdin(endless=True))
    status = main(args)
    err = capsys.readouterr().err
    assert status == 1 and "limits.token_size" in err
    assert sys.stdin.served <= DEFAULT_LIMITS.max_token_bytes + 3


@pytest.mark.parametrize("stdin", [b"", b"\n", b"  \r\n"])
def test_empty_stdin_says_empty_input_with_a_code(keys, monkeypatch, capsys, stdin):
    for args in (["decrypt", "--key", str(keys["private"])], ["inspect"],
                 ["explain", "--key", str(keys["private"])]):  # fmt: skip
        status, out, err = main_with(args, stdin, monkeypatch, capsys)
        assert status == 1 and "empty input" in err and "format.empty" in err
        assert "part" not in err
    status, out, _ = main_with(
        ["explain", "--key", str(keys["private"]), "--format", "json"], stdin, monkeypatch, capsys
    )
    report = json.loads(out)
    assert status == 1 and report["ok"] is False and report["error"]["code"] == "format.empty"


def test_key_accepts_the_practice_servers_key_file(tmp_path, monkeypatch, capsys):
    from jwe_steps.server import SERVER_KEY_FILE, ServerState

    state = ServerState.open(tmp_path / "state")
    key_file = tmp_path / "state" / SERVER_KEY_FILE
    assert set(json.loads(key_file.read_text())) == {"notice", "jwk"}
    token = jwe_steps.encrypt(b"to the server", state.key.public_key(), alg="RSA-OAEP-256",
                              enc="A256GCM").token  # fmt: skip
    status, out, err = main_with(["decrypt", "--key", str(key_file)], token.encode(),
                                 monkeypatch, capsys)  # fmt: skip
    assert status == 0 and out == "to the server", err


def test_key_accepts_a_pem_certificate(tmp_path, rsa_key, monkeypatch, capsys):
    cert = tmp_path / "partner.crt"
    cert.write_bytes(make_certificate(rsa_key, days=3650))
    status, out, err = main_with(["encrypt", "--key", str(cert)], b"for the partner",
                                 monkeypatch, capsys)  # fmt: skip
    assert status == 0, err
    assert jwe_steps.decrypt(out.strip(), rsa_key).plaintext == b"for the partner"
    assert "warning" not in err
    expired = tmp_path / "expired.crt"
    expired.write_bytes(make_certificate(rsa_key, days=1))  # 2026-01-01 to 2026-01-02
    status, out, err = main_with(["encrypt", "--key", str(expired)], b"x", monkeypatch, capsys)
    assert status == 0 and "warning" in err and "EXPIRED" in err


def test_encrypting_to_a_key_set_without_a_kid_lists_the_kids_and_the_option(
    keys, rsa_key, monkeypatch, capsys
):
    status, out, err = main_with(["encrypt", "--key", str(keys["jwks"])], b"x", monkeypatch, capsys)
    kids = [k["kid"] for k in json.loads(keys["jwks"].read_text())["keys"]]
    assert status == 2 and out == ""
    assert all(kid in err for kid in kids) and '--header \'{"kid": ' in err
    assert "key.kid_required" in err
    status, out, err = main_with(
        ["encrypt", "--key", str(keys["jwks"]), "--header", json.dumps({"kid": rsa_key.kid})],
        b"x", monkeypatch, capsys,
    )  # fmt: skip
    assert status == 0 and jwe_steps.decrypt(out.strip(), rsa_key).plaintext == b"x"


def test_a_lone_surrogate_kid_never_reaches_a_traceback(keys):
    import base64

    header = base64.urlsafe_b64encode(b'{"alg":"dir","enc":"A256GCM","kid":"\\ud800"}')
    token = header.rstrip(b"=") + b"..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA"
    for command in ("decrypt", "explain"):
        result = run(command, "--key", str(keys["private"]), stdin=token)
        assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert b"header.json" in run("decrypt", "--key", str(keys["private"]), stdin=token).stderr
    result = run("explain", "--key", str(keys["private"]), "--format", "json", stdin=token)
    assert result.returncode == 1 and json.loads(result.stdout)["error"]["code"] == "header.json"
    assert b"Infinity" not in result.stdout


def test_inspect_needs_no_key(keys, monkeypatch, capsys):
    token = run("encrypt", "--key", str(keys["public"]), stdin=b"hi").stdout
    assert not token.endswith(b"\n")  # into a pipe the token is written byte for byte
    # A file saved by an editor ends in a newline: inspect names it, as a warning.
    status, out, _ = main_with(["inspect"], token + b"\n", monkeypatch, capsys)
    assert status == 0 and "RSA modulus is 2048 bits" in out and "format.whitespace" in out
    status, out, _ = main_with(
        ["inspect", "--format", "json", token.decode().strip()], b"", monkeypatch, capsys
    )
    report = json.loads(out)
    assert status == 0 and report["well_formed"] and report["findings"] == []
    assert [p["bytes"] for p in report["parts"]][1:] == [256, 12, 2, 16]
    status, out, _ = main_with(["inspect", "--format", "json"], b'"' + token.strip() + b'"',
                               monkeypatch, capsys)  # fmt: skip
    assert status == 1 and [f["code"] for f in json.loads(out)["findings"]] == ["format.quoted"]


def test_the_readme_documents_inspect():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    assert "jwe-steps inspect" in section and "certificate" in section


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(stdin=st.binary(max_size=300) | st.text(alphabet='eyJ.AQ-_+/= \n"{}', max_size=120))
def test_no_stdin_reaches_a_traceback(tmp_path_factory, stdin):
    key_file = tmp_path_factory.getbasetemp() / "fuzz-oct.jwk"
    if not key_file.exists():
        key_file.write_text(json.dumps({"kty": "oct", "k": "A" * 43}))
    data = stdin.encode() if isinstance(stdin, str) else stdin
    for args in (["inspect"], ["inspect", "--format", "json"], ["decrypt", "--key", str(key_file)],
                 ["explain", "--key", str(key_file), "--format", "json"]):  # fmt: skip
        saved, sys.stdin = sys.stdin, _Stdin(data)
        try:
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                status = main(args)
        finally:
            sys.stdin = saved
        assert status in (0, 1)


def test_an_allow_list_naming_only_an_alg_is_a_usage_error(keys, rsa_key):
    token = jwe_steps.encrypt(b"x", rsa_key.public_key(), alg="RSA-OAEP-256", enc="A256GCM").token
    for command in ("decrypt", "explain"):
        result = run(command, "--key", str(keys["private"]), "--allow", "RSA-OAEP-256",
                     stdin=token.encode())  # fmt: skip
        assert result.returncode == 2 and b"(code input.allow_list)" in result.stderr


def test_a_jwks_entry_the_cli_cannot_use_is_skipped_with_a_note(tmp_path, rsa_key):
    # A partner's JWKS with an Ed25519 signing key beside its RSA encryption key (RFC 7517 §5).
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    raw = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    signing = {"kty": "OKP", "crv": "Ed25519", "x": jwe_steps.b64.b64url_encode(raw), "kid": "s"}
    jwks = tmp_path / "partner.jwks"
    jwks.write_text(json.dumps({"keys": [rsa_key.public_key().to_jwk(), signing]}))
    header = json.dumps({"kid": rsa_key.kid})
    result = run("encrypt", "--key", str(jwks), "--header", header, stdin=b"hi")
    assert result.returncode == 0, result.stderr
    assert b"key.unsupported" in result.stderr and b"'s'" in result.stderr  # code and kid
    assert jwe_steps.decrypt(result.stdout.decode().strip(), rsa_key).plaintext == b"hi"


def test_decrypting_with_a_public_key_file_is_a_usage_error(keys):
    token = run("encrypt", "--key", str(keys["public"]), stdin=b"x").stdout
    refused = run("decrypt", "--key", str(keys["public"]), stdin=token)
    assert refused.returncode == 2 and refused.stdout == b""
    assert refused.stderr.decode().strip().endswith("(code key.not_private)")
    empty = keys["public"].with_name("empty.jwks")
    empty.write_text('{"keys": []}')
    nothing = run("decrypt", "--key", str(empty), stdin=token)
    assert nothing.returncode == 2 and nothing.stderr.decode().strip().endswith(
        "(code key.invalid)"
    )
