"""The jwe-steps command line: keygen, encrypt, decrypt, exit codes, and --help everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import jwe_steps


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
    assert b"DEMO key" in result.stderr
    private = json.loads((tmp_path / "k.jwk").read_text())
    public = json.loads((tmp_path / "p.jwk").read_text())
    assert private["kid"].startswith("demo-") and private["kid"] == public["kid"]
    assert "d" in private and "d" not in public and public["kty"] == "RSA"
    assert jwe_steps.load_key(private).size_bits == 2048


@pytest.mark.parametrize(("kty", "extra"), [("EC", ["--crv", "P-384"]), ("oct", ["--size", "256"])])
def test_keygen_other_key_types_print_to_stdout(kty, extra):
    result = run("keygen", "--kty", kty, *extra)
    assert result.returncode == 0
    key = jwe_steps.load_key(json.loads(result.stdout))
    assert key.kty == kty and key.demo


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
        b"legacy", rsa_key.public_key(), alg="RSA1_5", enc="A128GCM", algorithms=["RSA1_5"]
    ).token
    refused = run("decrypt", "--key", str(keys["private"]), stdin=token.encode())
    assert refused.returncode == 1 and b"RSA1_5" in refused.stderr
    allowed = run(
        "decrypt", "--key", str(keys["private"]), "--allow", "RSA1_5", stdin=token.encode()
    )
    assert allowed.returncode == 0 and allowed.stdout == b"legacy"


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
    "command", [(), ("keygen",), ("encrypt",), ("decrypt",), ("explain",), ("serve",)]
)
def test_help_everywhere(command):
    result = run(*command, "--help")
    assert result.returncode == 0 and b"usage: jwe-steps" in result.stdout
