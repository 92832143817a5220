"""The ``jwe-steps`` command: keygen, encrypt, decrypt, explain, serve.

Exit codes: 0 success, 1 the token did not decrypt (or encryption failed), 2 usage error
(bad arguments, unreadable key file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

EXPLAIN_WARNING = (
    "explain is a debugging aid for your own keys and tokens: it reports exactly which stage "
    "failed, which a server must never do (RFC 7516 §11.5). decrypt keeps the uniform error."
)


class UsageError(Exception):
    """Bad arguments or an unreadable key file: exit code 2."""


def _read_key(path: str) -> Any:
    """A JWK, a JWKS (a KeySet, from which the token's kid picks) or PEM, from a file."""
    from .errors import JWEError
    from .keys import load_key, load_key_set

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read key file {path!r}: {error.strerror}") from None
    try:
        if b"-----BEGIN" in data:
            return load_key(data)
        parsed = json.loads(data)
        if isinstance(parsed, dict) and "keys" in parsed:
            return load_key_set(parsed)
        return load_key(parsed)
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"key file {path!r} is neither JSON (JWK/JWKS) nor PEM") from None
    except JWEError as error:
        raise UsageError(f"key file {path!r}: {error}") from None


def _read_stdin_bytes() -> bytes:
    return sys.stdin.buffer.read()


def _read_token() -> str:
    raw = _read_stdin_bytes()
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise UsageError("the token on stdin is not ASCII text") from None


def _cmd_keygen(args: argparse.Namespace) -> int:
    from .keys import generate_key

    key = generate_key(args.kty, size=args.size, crv=args.crv, alg=args.alg, kid=args.kid)
    private_jwk = json.dumps(key.to_jwk(private=True), indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(private_jwk, encoding="utf-8")
    else:
        sys.stdout.write(private_jwk)
    if args.public_out:
        if key.kty == "oct":
            raise UsageError("a symmetric key has no public half; drop --public-out")
        public_jwk = json.dumps(key.to_jwk(), indent=2) + "\n"
        Path(args.public_out).write_text(public_jwk, encoding="utf-8")
    print(
        f"jwe-steps: made a DEMO key (kid {key.kid}); for learning only, never for real data.",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_encrypt(args: argparse.Namespace) -> int:
    from .errors import JWEError
    from .pipeline import encrypt

    key = _read_key(args.key)
    header = None
    if args.header:
        try:
            header = json.loads(args.header)
        except ValueError:
            raise UsageError("--header must be a JSON object") from None
        if not isinstance(header, dict):
            raise UsageError("--header must be a JSON object")
    try:
        trace = encrypt(_read_stdin_bytes(), key, alg=args.alg, enc=args.enc, header=header)
    except JWEError as error:
        print(f"jwe-steps: encryption failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.write(str(trace.token) + "\n")
    return EXIT_OK


def _cmd_decrypt(args: argparse.Namespace) -> int:
    from .errors import JWEError
    from .pipeline import decrypt

    key = _read_key(args.key)
    token = _read_token()
    try:
        trace = decrypt(token, key, algorithms=args.allow or None)
    except JWEError as error:
        print(f"jwe-steps: decryption failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.buffer.write(trace.plaintext)
    sys.stdout.flush()
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from .explanation import explain
    from .view.terminal import use_color
    from .view.text import explanation_text

    key = _read_key(args.key)
    report = explain(_read_token(), key, algorithms=args.allow or None)
    if args.format == "json":
        sys.stdout.write(report.to_json() + "\n")
    else:
        sys.stdout.write(explanation_text(report, color=use_color(sys.stdout)) + "\n")
    return EXIT_OK if report.ok else EXIT_FAILED


def _cmd_serve(args: argparse.Namespace) -> int:
    from .server import StateError, serve

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be 0-65535, not {args.port}")

    def announce(url: str) -> None:
        print(url, flush=True)
        print(
            f"jwe-steps: practice API on {url} with DEMO keys: for learning only, never for real "
            f"data. Try: curl {url}/.well-known/jwks.json  (Ctrl+C stops it)",
            file=sys.stderr,
            flush=True,
        )

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"jwe-steps: warning: listening on {args.host}, beyond this machine; "
            "this practice server is meant for loopback only.",
            file=sys.stderr,
        )
    try:
        serve(
            args.host,
            args.port,
            args.state,
            profile=args.profile,
            access_log=args.access_log,
            announce=announce,
        )
    except StateError as error:
        raise UsageError(f"--state {args.state}: {error}") from None
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror}") from None
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jwe-steps",
        description="JSON Web Encryption (RFC 7516), one stage at a time.",
        epilog="Exit codes: 0 success, 1 the operation failed, 2 usage error.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    keygen = commands.add_parser(
        "keygen",
        help="make a DEMO key (JWK) for learning",
        description="Make a DEMO key and print it as a private JWK. Never use it for real data.",
    )
    keygen.add_argument("--kty", default="RSA", choices=["RSA", "EC", "OKP", "oct"])
    keygen.add_argument("--size", type=int, default=2048, help="RSA or oct size in bits")
    keygen.add_argument("--crv", default="P-256", help="EC: P-256/P-384/P-521; OKP: X25519/X448")
    keygen.add_argument("--alg", help="bind the key to one alg (the JWK 'alg' member)")
    keygen.add_argument("--kid", help="key id (prefixed with 'demo-')")
    keygen.add_argument("--out", help="write the private JWK here instead of stdout")
    keygen.add_argument("--public-out", help="also write the public JWK here")
    keygen.set_defaults(handler=_cmd_keygen)

    key_help = "a JWK, a JWKS (the token's kid picks the key) or a PEM file"
    encrypt = commands.add_parser(
        "encrypt",
        help="encrypt stdin to a compact JWE on stdout",
        description="Encrypt the bytes on stdin to the recipient's key; print the compact JWE.",
    )
    encrypt.add_argument(
        "--key", required=True, metavar="FILE", help="recipient's key: " + key_help
    )
    encrypt.add_argument(
        "--alg", default="RSA-OAEP-256", help="key management (default RSA-OAEP-256)"
    )
    encrypt.add_argument("--enc", default="A256GCM", help="content encryption (default A256GCM)")
    encrypt.add_argument("--header", help="extra protected header members, as a JSON object")
    encrypt.set_defaults(handler=_cmd_encrypt)

    allow_help = "accept this alg/enc (repeatable); default: the safe set (no RSA1_5)"
    decrypt = commands.add_parser(
        "decrypt",
        help="decrypt a compact JWE on stdin",
        description="Decrypt the JWE on stdin; print the plaintext. On failure, print one line "
        "naming the stage and exit 1.",
    )
    decrypt.add_argument(
        "--key", required=True, metavar="FILE", help="your private key: " + key_help
    )
    decrypt.add_argument("--allow", action="append", metavar="ALG", help=allow_help)
    decrypt.set_defaults(handler=_cmd_decrypt)

    explain = commands.add_parser(
        "explain",
        help="show every decryption step and name the mistake that breaks it (debugging aid)",
        description="Decrypt the JWE on stdin (compact or JSON) step by step, print every "
        "value, name the stage that fails, and test hypotheses with your key to name the "
        "integration mistake behind it (another OAEP hash, standard base64, the tag appended "
        "to the ciphertext, a re-serialized header, ...), with a fix for the sending side. "
        + EXPLAIN_WARNING,
        epilog="Exit codes: 0 the token decrypts, 1 it does not (the report is still printed), "
        "2 usage error.",
    )
    explain.add_argument(
        "--key", required=True, metavar="FILE", help="your private key: " + key_help
    )
    explain.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text (coloured on a TTY) or JSON: {ok, failed_stage, steps, diagnosis}",
    )
    explain.add_argument("--allow", action="append", metavar="ALG", help=allow_help)
    explain.set_defaults(handler=_cmd_explain)

    serve = commands.add_parser(
        "serve",
        help="run the practice API that speaks JWE (DEMO keys)",
        description="Run a practice HTTP API that takes JWE-encrypted requests and answers with "
        "JWE-encrypted responses, as provider APIs do: GET /.well-known/jwks.json, "
        "POST /v1/clients, POST /v1/kyc/pan. It prints its URL. Its keys are DEMO keys, made at "
        "start or kept in --state: for learning only, never for real data.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)"
    )
    serve.add_argument(
        "--state", metavar="DIR", help="keep the DEMO server keys and the clients here (JSON)"
    )
    serve.add_argument(
        "--profile",
        choices=("signed", "encrypt-only"),
        default="signed",
        help="signed (default): sign-then-encrypt, replay-safe; encrypt-only: the unsigned "
        "exchange of notebook 09's replay lesson (unsafe, prints a warning)",
    )
    serve.add_argument(
        "--access-log", action="store_true", help="log one line per request to stderr"
    )
    serve.set_defaults(handler=_cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as error:
        print(f"jwe-steps: {error}", file=sys.stderr)
        return EXIT_USAGE
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
