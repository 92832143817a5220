"""The ``jwe-steps`` command: keygen, encrypt, decrypt, explain, inspect, serve, app.

Exit codes: 0 success; 1 the token is bad (it did not decrypt, or is empty, too large, not
text) or encryption failed; 2 usage error (bad arguments, a key file that cannot be read or
used). Errors print one line on stderr ending with the error's stable code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

EXPLAIN_WARNING = (
    "explain is a debugging aid for your own keys and tokens: it tells why a step that depends "
    "on the key failed (another OAEP hash, another key, a moved tag), which a server must never "
    "do (RFC 7516 §11.5); decrypt answers all of those with one decryption.failed. "
)
EXPLAIN_REDACT = "The report holds the CEK and the plaintext: --redact before sharing it."
APP_REDACT = (
    "The page shows the CEK and the plaintext: share its redacted report (the copy button), "
    "not the page."
)

if TYPE_CHECKING:
    from .errors import JWEError
    from .keys import Key, KeySet

    # build_parser's subcommands: one _add_<command> function each
    _Commands = argparse._SubParsersAction[argparse.ArgumentParser]


class UsageError(Exception):
    """Bad arguments, or a key file that cannot be read or used: exit code 2.

    ``code`` is the JWEError code behind it, when there is one (printed with the message).
    """

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class InputFailure(Exception):
    """The input on stdin is not a token to work on (empty, too large): exit code 1."""

    def __init__(self, error: JWEError) -> None:
        super().__init__(str(error))
        self.error = error


def _coded(error: JWEError) -> str:
    """An error as one line: its message, then its stable code."""
    return f"{error} (code {error.code})"


def _key_document(data: bytes, path: str) -> Any:
    """The JSON of a key file, read strictly (an InvalidKeyError with a json.* code)."""
    from . import strict_json
    from .errors import InvalidKeyError

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(
            f"key file {path!r} is neither JSON (JWK/JWKS) nor PEM: it is not UTF-8 text",
            code="key.format",
        ) from None
    text = text.removeprefix("\ufeff")  # a BOM some editors write
    if not text.lstrip().startswith(("{", "[")):
        raise UsageError(
            f"key file {path!r} is neither JSON (JWK/JWKS) nor PEM (a certificate or key)",
            code="key.format",
        )
    return strict_json.loads(
        text,
        error=InvalidKeyError,
        subject="its JSON",
        expected="a JWK, a JWKS or a practice server key file, in JSON",
    )


MAX_KEY_FILE_BYTES = 1 << 20
"""The most a key file may hold: a JWKS of a hundred keys with certificates fits many times."""


def _read_key(path: str) -> Key | KeySet:
    """A key from a file: a JWK, a JWKS (a KeySet, from which the token's kid picks), the
    practice server's key file (``{"notice", "jwk"}``), PEM (private key, public key, or an
    X.509 certificate, whose public key is used)."""
    from .errors import JWEError
    from .keys import load_key, load_key_set

    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as error:
        raise UsageError(f"cannot read key file {path!r}: {error.strerror}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise UsageError(
            f"key file {path!r} is larger than {MAX_KEY_FILE_BYTES} bytes: not a key file",
            code="limits.exceeded",
        )
    try:
        if b"-----BEGIN" in data:
            return load_key(data)
        document = _key_document(data, path)
        if isinstance(document, dict) and "keys" in document:
            key_set = load_key_set(document)
            for entry in key_set.skipped:  # RFC 7517 §5: ignored, but never silently
                print(f"jwe-steps: note: key file {path!r}: skipped {entry.label}: "
                      f"{entry.code}", file=sys.stderr)  # fmt: skip
            return key_set
        if isinstance(document, dict) and isinstance(document.get("jwk"), dict):
            return load_key(document["jwk"])  # the practice server's server_key.json
        if isinstance(document, list):
            return load_key_set(document)
        return load_key(document)
    except JWEError as error:
        raise UsageError(f"key file {path!r}: {error}", code=error.code) from None


def _read_stdin_bytes(limit: int | None = None) -> bytes:
    """All of stdin, or (with ``limit``) at most ``limit + 1`` bytes: enough to tell that the
    input is too large without reading the rest of it."""
    if limit is None:
        return sys.stdin.buffer.read()
    return sys.stdin.buffer.read(limit + 1)


# A token may end with one line break (a file, echo, a here-string); more than that is input.
_TRAILING_NEWLINE = 2


def _bounded_stdin() -> bytes:
    """stdin, read up to the decryption size limit (16 MiB) and no further.

    Empty input and input over the limit raise :class:`InputFailure` (a bad token, exit 1).
    """
    from .errors import SerializationError, SizeLimitError
    from .limits import DEFAULT_LIMITS

    limit = DEFAULT_LIMITS.max_token_bytes
    raw = _read_stdin_bytes(limit + _TRAILING_NEWLINE)
    if len(raw) > limit + _TRAILING_NEWLINE:
        raise InputFailure(
            SizeLimitError(
                "the token on stdin is larger than the limit; stopped reading",
                code="limits.token_size",
                expected=f"at most {limit} bytes",
                found=f"more than {limit + _TRAILING_NEWLINE} bytes",
            )
        )
    if not raw.strip():
        raise InputFailure(
            SerializationError(
                "empty input",
                code="format.empty",
                expected="a token on stdin, e.g. jwe-steps COMMAND ... < token.txt",
                found=f"{len(raw)} bytes" + (" of whitespace" if raw else ""),
            )
        )
    return raw


def _read_token(*, exactly: bool = False) -> str | bytes:
    """The token on stdin, as text, without surrounding whitespace (a file's final newline);
    ``exactly`` keeps it (explain reports it, as a server would refuse it).

    Bytes that are not UTF-8 are passed on as bytes, so the library names what is wrong with
    them (a bad token, exit code 1).
    """
    raw = _bounded_stdin()
    stripped = raw if exactly else raw.strip(b" \t\r\n")
    try:
        return stripped.decode("utf-8")
    except UnicodeDecodeError:
        return stripped


def _write_private(path: str, text: str) -> None:
    """Write a private key readable by its owner only (0600), as the practice server does."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # an existing file keeps its old mode otherwise
        handle.write(text)


def _cmd_keygen(args: argparse.Namespace) -> int:
    from .errors import JWEError
    from .keys import generate_key

    if args.public_out and args.kty == "oct":
        raise UsageError("a symmetric key has no public half; drop --public-out")
    try:
        key = generate_key(args.kty, size=args.size, crv=args.crv, alg=args.alg, kid=args.kid)
    except JWEError as error:
        raise UsageError(str(error), code=error.code) from None
    private_jwk = json.dumps(key.to_jwk(private=True), indent=2) + "\n"
    try:
        if args.out:
            _write_private(args.out, private_jwk)
        if args.public_out:
            Path(args.public_out).write_text(json.dumps(key.to_jwk(), indent=2) + "\n")
    except OSError as error:
        where = error.filename or args.out
        raise UsageError(f"cannot write {where!r}: {error.strerror}") from None
    if not args.out:
        sys.stdout.write(private_jwk)
    prefixed = ""
    if args.kid is not None and args.kid != key.kid:
        prefixed = f" (--kid {args.kid!r} with the 'demo-' prefix)"
    print(
        f"jwe-steps: made a DEMO key with kid {key.kid!r}{prefixed}; for learning only, never "
        "for real data.",
        file=sys.stderr,
    )
    return EXIT_OK


def _kid_choice(error: JWEError, keys: Any) -> UsageError:
    """A key-set error for encrypt: list the kids and say how to choose one."""
    kids = [kid for kid in getattr(keys, "kids", ()) if kid is not None]
    example = kids[0] if kids else "..."
    return UsageError(
        f"{error}\n  The key file holds {len(kids)} keys with kids {', '.join(map(repr, kids))}; "
        f"choose one with --header '{json.dumps({'kid': example})}'.",
        code=error.code,
    )


def _header_argument(text: str) -> dict[str, Any]:
    """--header's JSON object, read as strictly as a received header (no repeated member,
    no NaN, no lone surrogate, bounded nesting)."""
    from . import strict_json
    from .errors import InputError, JWEError

    try:
        header = strict_json.loads(text, error=InputError, subject="--header", expected="an object")
    except JWEError as error:
        raise UsageError(f"--header is not valid JSON: {error.found}", code=error.code) from None
    if not isinstance(header, dict):
        raise UsageError("--header must be a JSON object", code="input.header")
    return header


def _cmd_encrypt(args: argparse.Namespace) -> int:
    from .errors import JWEError
    from .pipeline import encrypt

    key = _read_key(args.key)
    header = None
    if args.header:
        header = _header_argument(args.header)
    certificate = getattr(key, "certificate", None)
    if certificate is not None and not certificate.is_valid_at():
        print(
            f"jwe-steps: warning: the key's {certificate.describe()}; check you have the "
            "partner's current certificate.",
            file=sys.stderr,
        )
    try:
        trace = encrypt(
            _read_stdin_bytes(), key, alg=args.alg, enc=args.enc, header=header,
            algorithms=args.allow,
        )  # fmt: skip
    except JWEError as error:
        if error.code in ("key.kid_required", "key.kid_unknown"):
            raise _kid_choice(error, key) from None
        print(f"jwe-steps: encryption failed: {_coded(error)}", file=sys.stderr)
        return EXIT_FAILED
    # On a terminal the token ends the line; into a file or a pipe it is written byte for byte,
    # as it would be sent, so `explain < token.jwe` sees no trailing newline (format.whitespace).
    sys.stdout.write(str(trace.token) + ("\n" if sys.stdout.isatty() else ""))
    return EXIT_OK


def _cmd_decrypt(args: argparse.Namespace) -> int:
    from .errors import JWEError
    from .keys import KeySet
    from .pipeline import decrypt

    key = _read_key(args.key)
    members = key.keys if isinstance(key, KeySet) else (key,)
    if not members:
        raise UsageError(f"{args.key!r} holds no key this library can use", code="key.invalid")
    if not any(member.is_private for member in members):
        raise UsageError(
            f"{args.key!r} holds only public keys: decrypting needs your private key",
            code="key.not_private",
        )
    try:
        trace = decrypt(_read_token(), key, algorithms=_allow_list(args))
    except JWEError as error:
        print(f"jwe-steps: decryption failed: {_coded(error)}", file=sys.stderr)
        return EXIT_FAILED
    sys.stdout.buffer.write(trace.plaintext)
    sys.stdout.flush()
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from .explanation import explain
    from .view.terminal import use_color
    from .view.text import explanation_text

    key = _read_key(args.key)
    try:
        # Byte for byte, as a server reads a request body: a trailing newline is reported
        # (format.whitespace).
        token = _read_token(exactly=True)
    except InputFailure as failure:
        if args.format != "json":
            raise
        # Nothing to explain: the same document shape, with the reason and no steps.
        error = failure.error.to_dict()
        document = {"ok": False, "failed_stage": error["stage"], "error": error}
        sys.stdout.write(json.dumps({**document, "steps": [], "diagnosis": []}, indent=2) + "\n")
        return EXIT_FAILED
    report = explain(token, key, algorithms=_allow_list(args))
    if args.redact:
        report = report.redacted()
    if args.format == "json":
        sys.stdout.write(report.to_json() + "\n")
    else:
        text = explanation_text(report, color=use_color(sys.stdout))
        if report.ok:  # the text view shows findings for failures only; notes follow here
            text += "".join(
                f"\n  note [{f.code}] {f.message}" + (f"\n    fix: {f.fix}" if f.fix else "")
                for f in report.diagnosis
            )
        sys.stdout.write(text + "\n")
    return EXIT_OK if report.ok else EXIT_FAILED


def _cmd_inspect(args: argparse.Namespace) -> int:
    from .errors import SerializationError
    from .inspection import inspect_token

    # The token exactly as given: its whitespace, quotes and encoding are what inspect reports.
    token: str | bytes = args.token if args.token is not None else _bounded_stdin()
    if not token.strip():
        raise InputFailure(
            SerializationError("empty input", code="format.empty", expected="a token")
        )
    inspection = inspect_token(token)
    if args.format == "json":
        sys.stdout.write(inspection.to_json() + "\n")
    else:
        sys.stdout.write(inspection.text() + "\n")
    return EXIT_OK if inspection.well_formed else EXIT_FAILED


def _allow_list(args: argparse.Namespace) -> list[str] | None:
    """``--allow`` as decrypt() takes it; a list naming no alg or no enc is a usage error."""
    if not args.allow:
        return None
    from .allow_list import allowed_algorithms
    from .errors import JWEError

    try:
        allowed_algorithms(args.allow)
    except JWEError as error:
        raise UsageError(f"--allow: {error}", code=error.code) from None
    return list(args.allow)


def _algorithm_name(kind: str) -> Any:
    """An argparse type that accepts only registered ``alg``/``enc`` names (exit code 2)."""

    def check(name: str) -> str:
        from .algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT

        known: set[str] = set()
        if kind in ("alg", "any"):
            known.update(KEY_MANAGEMENT)
        if kind in ("enc", "any"):
            known.update(CONTENT_ENCRYPTION)
        if name not in known:
            raise argparse.ArgumentTypeError(
                f"unknown algorithm {name!r}; known: {', '.join(sorted(known))}"
            )
        return name

    check.__name__ = "algorithm"  # argparse names the type in its message
    return check


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


def _cmd_app(args: argparse.Namespace) -> int:
    from .app.server import AppUnavailable, serve

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port must be 1-65535, not {args.port}")
    try:
        return serve(args.port, open_browser=not args.no_browser, dry_run=args.dry_run)
    except AppUnavailable as error:
        raise UsageError(str(error)) from None


_KEY_HELP = (
    "a JWK, a JWKS (the token's kid picks the key), the practice server's key file, a PEM "
    "key or a PEM X.509 certificate"
)
_ALLOW_HELP = (
    "accept this alg/enc (repeatable; name both an alg and an enc: the list is exhaustive); "
    "default: the safe set (no RSA1_5)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jwe-steps",
        description="JSON Web Encryption (RFC 7516), one stage at a time.",
        epilog="Exit codes: 0 success, 1 the operation failed, 2 usage error.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_keygen(commands)
    _add_encrypt(commands)
    _add_decrypt(commands)
    _add_explain(commands)
    _add_inspect(commands)
    _add_serve(commands)
    _add_app(commands)
    return parser


def _add_keygen(commands: _Commands) -> None:
    keygen = commands.add_parser(
        "keygen",
        help="make a DEMO key (JWK) for learning",
        description="Make a DEMO key and print it as a private JWK. Never use it for real data.",
    )
    keygen.add_argument("--kty", default="RSA", choices=["RSA", "EC", "OKP", "oct"])
    keygen.add_argument("--size", type=int, default=2048, help="RSA or oct size in bits")
    keygen.add_argument(
        "--crv", help="EC: P-256 (default), P-384, P-521; OKP: X25519 (default), X448"
    )
    keygen.add_argument("--alg", help="bind the key to one alg (the JWK 'alg' member)")
    keygen.add_argument(
        "--kid", help="key id; the kid set is 'demo-' + KID (a KID starting 'demo-' is kept)"
    )
    keygen.add_argument("--out", help="write the private JWK here (mode 0600) instead of stdout")
    keygen.add_argument("--public-out", help="also write the public JWK here")
    keygen.set_defaults(handler=_cmd_keygen)


def _add_encrypt(commands: _Commands) -> None:
    encrypt = commands.add_parser(
        "encrypt",
        help="encrypt stdin to a compact JWE on stdout",
        description="Encrypt the bytes on stdin to the recipient's key; print the compact JWE.",
    )
    encrypt.add_argument(
        "--key", required=True, metavar="FILE", help="recipient's key: " + _KEY_HELP
    )
    encrypt.add_argument(
        "--alg",
        default="RSA-OAEP-256",
        type=_algorithm_name("alg"),
        help="key management (default RSA-OAEP-256)",
    )
    encrypt.add_argument(
        "--enc",
        default="A256GCM",
        type=_algorithm_name("enc"),
        help="content encryption (default A256GCM)",
    )
    encrypt.add_argument(
        "--allow", action="append", metavar="ALG", type=_algorithm_name("any"), help=_ALLOW_HELP
    )
    encrypt.add_argument(
        "--header",
        help="extra protected header members, as a JSON object; with a JWKS, "
        '\'{"kid": "..."}\' picks the key',
    )
    encrypt.set_defaults(handler=_cmd_encrypt)


def _add_decrypt(commands: _Commands) -> None:
    decrypt = commands.add_parser(
        "decrypt",
        help="decrypt a JWE on stdin (compact or JSON)",
        description="Decrypt the JWE on stdin; print the plaintext. On failure, print one line "
        "naming the stage and exit 1.",
    )
    decrypt.add_argument(
        "--key", required=True, metavar="FILE", help="your private key: " + _KEY_HELP
    )
    decrypt.add_argument(
        "--allow", action="append", metavar="ALG", type=_algorithm_name("any"), help=_ALLOW_HELP
    )
    decrypt.set_defaults(handler=_cmd_decrypt)


def _add_explain(commands: _Commands) -> None:
    explain = commands.add_parser(
        "explain",
        help="show every decryption step and name the mistake that breaks it (debugging aid)",
        description="Decrypt the JWE on stdin (compact or JSON) step by step, print every "
        "value, name the stage that fails, and test hypotheses with your key to name the "
        "integration mistake behind it (another OAEP hash, standard base64, the tag appended "
        "to the ciphertext, a re-serialized header, ...), with a fix for the sending side. "
        + EXPLAIN_WARNING
        + EXPLAIN_REDACT,
        epilog="stdin is read exactly as given, as a server reads a request body: a trailing "
        "newline is reported (format.whitespace); pipe with printf '%s'. Exit codes: 0 the "
        "token decrypts, 1 it does not (the report is still printed), 2 usage error.",
    )
    explain.add_argument(
        "--key", required=True, metavar="FILE", help="your private key: " + _KEY_HELP
    )
    explain.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text (coloured on a TTY) or JSON: {ok, failed_stage, error, steps, diagnosis}",
    )
    explain.add_argument(
        "--allow", action="append", metavar="ALG", type=_algorithm_name("any"), help=_ALLOW_HELP
    )
    explain.add_argument(
        "--redact",
        action="store_true",
        help="replace secrets (CEK, plaintext, derived keys) with their length and a SHA-256 "
        "prefix, so the report can go into a support ticket",
    )
    explain.set_defaults(handler=_cmd_explain)


def _add_inspect(commands: _Commands) -> None:
    inspect = commands.add_parser(
        "inspect",
        help="show a token's anatomy and what its lengths imply (no key needed)",
        description="Read a JWE (compact or JSON) from the argument or stdin and show, without "
        "any key: its parts and their lengths, the protected header, what the lengths imply "
        "(alg/enc consistency, IV and tag sizes for enc, the RSA key size the encrypted key "
        "implies) and encoding problems (whitespace, padding, the standard base64 alphabet, "
        "a JSON-quoted token).",
        epilog="Exit codes: 0 the token is well formed, 1 it is not (the report is still "
        "printed), 2 usage error.",
    )
    inspect.add_argument("token", nargs="?", help="the token (default: read stdin)")
    inspect.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text, or JSON: {well_formed, serialization, parts, header, implications, findings}",
    )
    inspect.set_defaults(handler=_cmd_inspect)


def _add_serve(commands: _Commands) -> None:
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


def _add_app(commands: _Commands) -> None:
    app = commands.add_parser(
        "app",
        help="serve the debugging page: paste a token (and your key), see every stage",
        description="Serve, on 127.0.0.1 with Voila, a page where you paste a token and "
        "optionally your own key: its anatomy, every stage with its proof badge, the "
        "diagnosis, and a redacted report to copy. It prints its URL (with a token). "
        + EXPLAIN_WARNING
        + APP_REDACT,
    )
    app.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser")
    app.add_argument(
        "--dry-run", action="store_true", help="print the URL and the command; start nothing"
    )
    app.set_defaults(handler=_cmd_app)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as error:
        suffix = f" (code {error.code})" if error.code else ""
        print(f"jwe-steps: {error}{suffix}", file=sys.stderr)
        return EXIT_USAGE
    except InputFailure as failure:
        what = {"decrypt": "decryption", "inspect": "inspection"}.get(args.command, args.command)
        print(f"jwe-steps: {what} failed: {_coded(failure.error)}", file=sys.stderr)
        return EXIT_FAILED
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
