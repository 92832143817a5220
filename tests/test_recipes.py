"""The recipes in Java, Node.js, Go and Python (recipes/), run through their one entry point.

Every recipe's token must decrypt with jwe_steps and with jwcrypto (an independent JOSE
library), every recipe must decrypt tokens jwe_steps made, refuse broken or wrong input with a
non-zero exit and without printing the plaintext, and every `kyc` recipe must complete a signed
exchange with the practice server on loopback, refuse answers that are not right, and hold every
HTTP call to one deadline and a size cap (against servers that trickle or flood their answers).

`recipes/run --check LANG` says whether a language's toolchain is here; without it these tests
skip with the missing tool named, and with CI=true they fail instead. Each language is built
once per session (`recipes/run --prepare LANG`, cached under ignored folders afterwards).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import httpx
import pytest
from conftest import ROOT
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk
from trickling_server import TricklingServer

import jwe_steps
from jwe_steps import jws, nested
from jwe_steps.b64 import b64url_encode

RUN = ROOT / "recipes" / "run"
STANDARD = ("python", "java", "node", "go")
LIBRARY = ("python-lib", "java-lib", "node-lib", "go-lib")
LANGS = STANDARD + LIBRARY
PLAINTEXT = '{"pan":"ABCDE1234F","name":"Asha Rao","note":"ü → ✓"}'.encode() + bytes(range(256))
_prepared: dict[str, str | None] = {}


def recipe_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("JWE_STEPS_PYTHON", sys.executable)  # this test run's Python
    return env


def need(lang: str) -> None:
    """Build LANG once per session; skip (fail under CI=true) when its toolchain is missing."""
    if lang not in _prepared:
        check = subprocess.run(
            [str(RUN), "--check", lang], capture_output=True, text=True, env=recipe_env()
        )
        problem = None
        if check.returncode == 3:
            problem = f"the {lang} recipe's toolchain is not installed: {check.stdout.strip()}"
        elif check.returncode == 0:
            built = subprocess.run(
                [str(RUN), "--prepare", lang],
                capture_output=True,
                text=True,
                env=recipe_env(),
                timeout=600,
            )
            if built.returncode != 0:
                pytest.fail(f"recipes/run --prepare {lang} failed:\n{built.stderr[-3000:]}")
        else:
            pytest.fail(f"recipes/run --check {lang} failed: {check.stderr}")
        _prepared[lang] = problem
    problem = _prepared[lang]
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def run(lang: str, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    need(lang)
    return subprocess.run(
        [str(RUN), lang, *args], input=stdin, capture_output=True, env=recipe_env(), timeout=120
    )


def b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def recipe_encrypt(lang: str, public_file: Path, plaintext: bytes) -> str:
    done = run(lang, "encrypt", str(public_file), stdin=plaintext)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode("ascii").strip()


@pytest.mark.parametrize("lang", LANGS)
def test_recipe_tokens_decrypt_with_jwe_steps_and_jwcrypto(lang, key_files):
    key = key_files["key"]
    first = recipe_encrypt(lang, key_files["files"]["public"], PLAINTEXT)
    second = recipe_encrypt(lang, key_files["files"]["public"], PLAINTEXT)

    for token in (first, second):
        header = json.loads(b64decode(token.split(".")[0]))
        assert header == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": key.kid}
        opened = jwe_steps.decrypt(token, key, algorithms=["RSA-OAEP-256", "A256GCM"])
        assert opened.plaintext == PLAINTEXT
        peer = jwcrypto_jwe.JWE()
        peer.deserialize(token, key=jwcrypto_jwk.JWK(**key.to_jwk(private=True)))
        assert peer.payload == PLAINTEXT
        parts = token.split(".")
        assert [len(b64decode(p)) for p in (parts[1], parts[2], parts[4])] == [256, 12, 16]

    # A fresh CEK and IV per message: nothing but the header repeats between the two tokens.
    assert first.split(".")[0] == second.split(".")[0]
    for index in (1, 2, 3, 4):
        assert first.split(".")[index] != second.split(".")[index]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("plaintext", [PLAINTEXT, b""], ids=["bytes", "empty"])
def test_recipe_decrypts_tokens_made_by_jwe_steps(lang, plaintext, key_files):
    key = key_files["key"]
    token = jwe_steps.encrypt(
        plaintext, key.public_key(), alg="RSA-OAEP-256", enc="A256GCM", header={"kid": key.kid}
    ).token
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token.encode())
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == plaintext


def _tampered_tag(token: str) -> str:
    parts = token.split(".")
    tag = bytearray(b64decode(parts[4]))
    tag[0] ^= 1
    parts[4] = base64.urlsafe_b64encode(bytes(tag)).rstrip(b"=").decode()
    return ".".join(parts)


BAD_INPUTS = {
    # name: (command, which key file, how the token is made)
    "tampered tag": ("decrypt", "private", "tamper"),
    "another key": ("decrypt", "other_private", "good"),
    "alg RSA-OAEP (SHA-1)": ("decrypt", "private", "rsa-oaep"),
    "not five parts": ("decrypt", "private", "four-parts"),
    "a private key to encrypt": ("encrypt", "private", None),
    "a key for use sig": ("encrypt", "signing_public", None),
    "a public exponent of 1": ("encrypt", "exponent_one", None),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_recipe_refuses_bad_input_without_printing_plaintext(lang, case, key_files):
    key = key_files["key"]
    command, which, making = BAD_INPUTS[case]
    secret = b'{"pan":"ZZZZZ9999Z"}'
    if command == "encrypt":
        stdin = secret
    else:
        alg = "RSA-OAEP" if making == "rsa-oaep" else "RSA-OAEP-256"
        token = jwe_steps.encrypt(
            secret, key.public_key(), alg=alg, enc="A256GCM", header={"kid": key.kid}
        ).token
        if making == "tamper":
            token = _tampered_tag(token)
        elif making == "four-parts":
            token = token.rsplit(".", 1)[0]
        stdin = token.encode()
    done = run(lang, command, str(key_files["files"][which]), stdin=stdin)
    assert done.returncode == 1, (done.returncode, done.stderr.decode())
    assert done.stdout == b""
    message = done.stderr.decode()
    assert message.startswith(f"{lang} recipe: ") and message.count("\n") == 1
    assert "ZZZZZ9999Z" not in message and "Traceback" not in message and "Exception" not in message
    private = key.to_jwk(private=True)
    assert private["d"] not in message and private["p"] not in message


RECIPE_MAX_INPUT = 1 << 20  # the most of a key file or of a plaintext a recipe reads
RECIPE_MAX_TOKEN = 3 << 19  # the most of a token a recipe's decrypt reads (1.5 MiB)


@pytest.mark.parametrize("lang", LANGS)
def test_recipe_reads_a_bounded_amount_of_its_input(lang, key_files):
    # A key file that never ends, a plaintext one byte over 1 MiB, and a token over 1.5 MiB (of
    # 1.25 MiB of plaintext: about 1.67 MiB).
    files = key_files["files"]
    endless = run(lang, "encrypt", "/dev/zero")
    too_long = os.urandom(RECIPE_MAX_INPUT + 1)
    too_much_plaintext = run(lang, "encrypt", str(files["public"]), stdin=too_long)
    key = key_files["key"]
    large = jwe_steps.encrypt(
        os.urandom(5 << 18), key.public_key(), alg="RSA-OAEP-256", enc="A256GCM"
    ).token
    assert len(large) > RECIPE_MAX_TOKEN
    too_large = run(lang, "decrypt", str(files["private"]), stdin=large.encode())
    for done in (endless, too_much_plaintext, too_large):
        assert done.returncode == 1 and done.stdout == b""
        message = done.stderr.decode()
        assert message.startswith(f"{lang} recipe: ") and message.count("\n") == 1, message[-999:]
    for refused in (too_much_plaintext, too_large):  # refused as input, before any crypto
        assert refused.stderr.decode().startswith(f"{lang} recipe: input: ")


@pytest.mark.parametrize("lang", LANGS)
def test_recipe_round_trips_exactly_1_mib_of_plaintext(lang, key_files):
    # The largest plaintext encrypt takes makes a token (4/3 of it, base64url) that the same
    # recipe's decrypt takes back.
    files = key_files["files"]
    plaintext = os.urandom(RECIPE_MAX_INPUT)
    token = recipe_encrypt(lang, files["public"], plaintext)
    assert len(token) > RECIPE_MAX_INPUT  # more than a key file or a plaintext may be
    done = run(lang, "decrypt", str(files["private"]), stdin=token.encode())
    assert done.returncode == 0, done.stderr.decode()[-999:]
    assert done.stdout == plaintext


def _hand_made_token(header_text: bytes, key: Any, plaintext: bytes) -> str:
    """RSA-OAEP-256 + A256GCM around a protected header given as raw text (a header jwe_steps
    would never write), made with the bare primitives."""
    cek, iv = os.urandom(32), os.urandom(12)
    public = key.public_key().material
    encrypted_key = public.encrypt(
        cek, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    )
    encoded_header = b64url_encode(header_text)
    sealed = AESGCM(cek).encrypt(iv, plaintext, encoded_header.encode("ascii"))
    parts = (header_text, encrypted_key, iv, sealed[:-16], sealed[-16:])
    return ".".join([encoded_header] + [b64url_encode(p) for p in parts[1:]])


STRICT_HEADERS = {
    "a duplicate member": b'{"alg":"RSA-OAEP-256","enc":"A256GCM","enc":"A256GCM"}',
    "text after the object": b'{"alg":"RSA-OAEP-256","enc":"A256GCM"}}',
}


@pytest.mark.parametrize("lang", STANDARD)
@pytest.mark.parametrize("case", list(STRICT_HEADERS))
def test_stage_recipe_reads_the_header_as_strict_json(lang, case, key_files):
    key = key_files["key"]
    header = STRICT_HEADERS[case].replace(b"}", b',"kid":"%s"}' % key.kid.encode(), 1)
    token = _hand_made_token(header, key, b'{"pan":"ZZZZZ9999Z"}')
    done = run(lang, "decrypt", str(key_files["files"]["private"]), stdin=token.encode())
    assert done.returncode == 1 and done.stdout == b"", done.stdout
    message = done.stderr.decode()
    assert message.startswith(f"{lang} recipe: ") and message.count("\n") == 1
    assert "ZZZZZ9999Z" not in message


@pytest.mark.parametrize("lang", ["python", "node"])
def test_recipe_usage_errors_exit_2(lang):
    done = run(lang, "sign", "x")
    assert done.returncode == 2


def test_run_names_a_missing_toolchain(tmp_path):
    """With `go` off the PATH, the Go recipes say so and exit 3 instead of failing obscurely."""
    env = recipe_env() | {"PATH": "/usr/bin:/bin"}
    if shutil.which("go", path=env["PATH"]) is not None:
        pytest.skip("go is installed in /usr/bin here, so it cannot be hidden from the PATH")
    check = subprocess.run([str(RUN), "--check", "go-lib"], capture_output=True, text=True, env=env)
    assert check.returncode == 3 and check.stdout.startswith("missing: go (")
    done = subprocess.run(
        [str(RUN), "go", "encrypt", str(tmp_path / "key.jwk")],
        capture_output=True,
        text=True,
        env=env,
        input="",
    )
    assert done.returncode == 3 and done.stdout == ""
    assert "the go recipe needs go (Go 1.25+), which is not installed here" in done.stderr


def test_run_names_an_unknown_language():
    done = subprocess.run([str(RUN), "cobol", "encrypt", "x"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown LANG 'cobol'" in done.stderr


# ---------------------------------------------------------------- kyc against the practice API


@pytest.fixture(scope="module")
def practice_server():
    from jwe_steps.server import BackgroundServer

    with BackgroundServer() as server:
        with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as http:
            jwks = http.get("/.well-known/jwks.json").json()
        if not any(k.get("use") == "sig" for k in jwks.get("keys", [])):
            pytest.skip("practice API protocol not on this branch (its JWKS has no signing key)")
        yield server


@pytest.mark.parametrize("lang", LANGS)
def test_kyc_recipe_completes_a_signed_exchange(lang, practice_server):
    server = practice_server
    done = run(lang, "kyc", server.url)
    assert done.returncode == 0, done.stderr.decode()
    claims = json.loads(done.stdout)
    assert claims["iss"] == "jwe-steps-practice"
    assert isinstance(claims["aud"], str) and claims["aud"]
    assert claims["pan"] == "ABCDE1234F" and claims["valid_format"] is True
    assert isinstance(claims["in_reply_to"], str) and len(claims["in_reply_to"]) >= 16
    assert claims["exp"] > claims["iat"]
    assert done.stderr == b""  # nothing logged, secret or not

    # The server's side of it: a fresh client registered with its own ES256 signing key (a DEMO
    # key), and the request's jti now in the replay cache, so the same request would be refused.
    record = server.state.clients[claims["aud"]]
    assert record.signing is not None and record.signing.to_jwk()["alg"] == "ES256"
    assert record.signing.kid.startswith(f"demo-{lang}-sig-")
    assert record.encryption.kid.startswith(f"demo-{lang}-enc-")
    refusal = server.state.replay.remember(
        claims["aud"], claims["in_reply_to"], keep_until=claims["exp"] + 60, now=claims["iat"]
    )
    assert refusal == "replay.jti_seen"


# ------------------------------------------- kyc against a server whose answers are not right
#
# A stand-in for the practice server that follows the protocol except in one respect per mode.
# It opens each request with jwe_steps.nested (so the recipes' signed requests are also checked
# by a second implementation), and answers honestly (ES256 or PS256) or with one defect that a
# careful client must refuse. Modes starting "honest" must succeed: among them a partner JWKS
# that also lists keys the recipe cannot use (skipped, not fatal, and not picked by mistake).

IMPOSTOR_MODES = (
    "honest-PS256",  # ("honest" ES256 is the practice server's own case above)
    "honest-jwks-with-unusable-keys",
    "honest-media-type-spellings",  # typ "application/jwt", cty "jwt": the same media type
    "in_reply_to",  # an answer to another request
    "unknown_signer",  # signed by a key not in the JWKS (with the JWKS key's kid)
    "wrong_aud",  # addressed to another client
    "expired",
    "issued_in_future",  # iat an hour ahead (exp after it)
    "not_yet_valid",  # nbf an hour ahead
    "long_lived",  # exp ten years after iat: the answer lives at most 300 s
    "unsigned",  # cty "JWT", but the JWE holds the bare claims: no signature at all
    "unsigned_without_cty",  # the same without cty: an encrypted JWT that was never signed
    "not_encrypted",  # the signed JWT alone, no JWE around it
    "wrong_typ",  # the JWS says it is another kind of token (RFC 8725 §3.11)
    "no_typ",
    "zip",  # a compressed answer: refused, never inflated
    "hostile_error_code",  # an error answer whose code would write a line of its own
    "jwks_keys_not_a_list",
    "hostile_client_id",  # a registration answer whose client_id would write a header line
    "jwks_deeply_nested",
    "pss_salt_20",  # PS256 with a 20-byte PSS salt: RFC 7518 §3.5 fixes it at 32
    "jws_header_x5u",  # the JWS header points at a certificate elsewhere
    "jws_header_jwk",  # the JWS header embeds a key (the JWKS's own, even)
    "jws_header_crit",  # the JWS header marks a member critical
    "honest-claims-retyped",  # a claim the recipes do not check (request_id) is a number
    "exp_before_iat",  # expires before it was issued (both within the clock skew of now)
    "jws_header_empty_kid",  # kid "" in the JWS header and on the JWKS's signing key
    "sig_kid_twice",  # the JWKS lists the signing key, then another of its kind under its kid
    "sig_kid_twice_other_first",  # the same, the other key first
    "honest-sig-kid-twice-one-broken",  # the same kid on an entry of its kind that cannot load
    "jwks_redirected",  # the JWKS answered 307 to another address: not followed
    "jwks_as_html",  # the JWKS (a good one) served as text/html
    "registration_as_html",  # the registration answer (a good one) served as text/html
    "honest-json-spellings",  # JSON answers as "Application/JSON; charset=utf-8": still JSON
)
# The stage each recipe names for each impostor's answer: the same word in every language, with
# or without a JOSE library (a learner comparing two recipes' refusals sees one mistake named).
REFUSED_AS = {
    "in_reply_to": "claims",
    "unknown_signer": "jws",
    "wrong_aud": "claims",
    "expired": "claims",
    "issued_in_future": "claims",
    "not_yet_valid": "claims",
    "long_lived": "claims",
    "unsigned": "jws",
    "unsigned_without_cty": "header",
    "not_encrypted": "parse",
    "wrong_typ": "jws",
    "no_typ": "jws",
    "zip": "header",
    "hostile_error_code": "api",
    "jwks_keys_not_a_list": "jwks",
    "hostile_client_id": "api",
    "jwks_deeply_nested": "json",
    "pss_salt_20": "jws",
    "jws_header_x5u": "jws",
    "jws_header_jwk": "jws",
    "jws_header_crit": "jws",
    "exp_before_iat": "claims",
    "jws_header_empty_kid": "jws",
    "sig_kid_twice": "jwks",  # RFC 7517 §4.5: which of the two is meant is not known
    "sig_kid_twice_other_first": "jwks",
    "jwks_redirected": "api",  # an answer that is no 200, as any other
    "jwks_as_html": "api",  # not the API's answer, whatever its body parses as
    "registration_as_html": "api",
}
HOUR = 3600


def _unusable_jwks_entries(signing: Any) -> list[Any]:
    """Keys a partner's JWKS may list that these recipes cannot use, placed before the right
    ones: a malformed encryption key, an encryption key for another alg, a signing key of a
    type the recipes do not verify with (under the same kid as the right one: RFC 7517 §4.5
    lets keys of different types share one), a 1024-bit encryption key, entries that are not
    JSON objects."""
    other_alg = jwe_steps.generate_key("RSA", size=2048).to_jwk() | {
        "use": "enc",
        "alg": "RSA-OAEP",
        "kid": "demo-partner-enc-sha1",
    }
    small = jwe_steps.generate_key("RSA", size=2048).to_jwk()
    small |= {"n": small["n"][: len(small["n"]) // 2], "use": "enc", "kid": "demo-partner-small"}
    malformed = {"kty": "RSA", "use": "enc", "alg": "RSA-OAEP-256", "kid": "demo-bad", "n": "!!"}
    okp = {"kty": "OKP", "crv": "Ed25519", "use": "sig", "kid": signing.kid, "x": "A" * 43}
    return [malformed, other_alg, okp, small, 1, None, "a key"]  # and entries that are no JWK


def _signed_by_hand(mode: str, header: dict[str, Any], payload: bytes, signer: Any) -> str:
    """A compact JWS that ``jws.sign`` would not make: a header member beyond alg, kid and typ
    (``jws_header_*``), or PS256 with a 20-byte PSS salt (``pss_salt_20``). Signed correctly
    otherwise, with ``signer``'s own key."""
    header = {"alg": signer.alg, **header}
    if mode == "jws_header_x5u":
        header["x5u"] = "https://partner.invalid/signing-certificate.pem"
    elif mode == "jws_header_jwk":
        header["jwk"] = signer.public_key().to_jwk()
    elif mode == "jws_header_empty_kid":
        header["kid"] = ""
    elif mode == "jws_header_crit":
        header |= {"crit": ["exp"], "exp": int(time.time()) + 300}
    salt = 20 if mode == "pss_salt_20" else 32
    return jws_by_hand(json.dumps(header).encode(), payload, signer, salt=salt).decode("ascii")


def jws_by_hand(header: bytes, payload: bytes, key: Any, *, salt: int = 32) -> bytes:
    """A compact JWS around a header given as raw text, signed with ``key`` (ES256, or PS256
    with a PSS salt of ``salt`` bytes): tokens ``jws.sign`` would not write."""
    signing_input = f"{b64url_encode(header)}.{b64url_encode(payload)}".encode("ascii")
    if key.alg == "PS256":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)
        signature = key.material.sign(signing_input, pss, hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.material.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signing_input + b"." + b64url_encode(signature).encode("ascii")


class _Impostor(BaseHTTPRequestHandler):
    mode: ClassVar[str] = "honest-PS256"
    encryption: ClassVar[Any] = None
    signing: ClassVar[Any] = None
    rogue: ClassVar[Any] = None
    clients: ClassVar[dict[str, tuple[Any, Any]]] = {}
    seen: ClassVar[dict[str, Any]] = {}  # the last request, as opened by jwe_steps

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, media_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, code: str) -> None:
        body = {"error": {"code": code, "stage": "test", "message": code}}
        self._send(status, json.dumps(body).encode(), "application/json")

    def do_GET(self) -> None:
        # Served at /elsewhere.json too: a recipe that followed the redirect would succeed.
        if self.mode == "jwks_redirected" and self.path != "/elsewhere.json":
            port = self.server.server_address[1]
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{port}/elsewhere.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.mode == "jwks_keys_not_a_list":
            self._send(200, b'{"keys": 5}', "application/json")
            return
        if self.mode == "jwks_deeply_nested":
            self._send(200, b'{"keys": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json")
            return
        keys = [self.encryption.public_key().to_jwk(), self.signing.public_key().to_jwk()]
        if self.mode == "honest-jwks-with-unusable-keys":
            keys = _unusable_jwks_entries(self.signing) + keys
        elif self.mode == "jws_header_empty_kid":
            keys[1]["kid"] = ""
        elif self.mode == "sig_kid_twice":
            keys.append(self.rogue.public_key().to_jwk())  # the rogue key has the same kid
        elif self.mode == "sig_kid_twice_other_first":
            keys.insert(1, self.rogue.public_key().to_jwk())
        elif self.mode == "honest-sig-kid-twice-one-broken":  # skipped, so no ambiguity
            keys.insert(1, keys[1] | {"x" if "x" in keys[1] else "n": "not-a-coordinate"})
        self._send(200, json.dumps({"keys": keys}).encode(), self._json_media_type("jwks_as_html"))

    def _json_media_type(self, wrong_in_mode: str) -> str:
        """What a JSON answer says it is: text/html in its impostor mode, else JSON (spelled
        with capitals and a charset parameter in the mode that checks those are taken)."""
        if self.mode == wrong_in_mode:
            return "text/html"
        if self.mode == "honest-json-spellings":
            return "Application/JSON; charset=utf-8"
        return "application/json"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/clients":
            keys = json.loads(body)["jwks"]["keys"]
            enc = next(k for k in keys if k["use"] == "enc")
            sig = next(k for k in keys if k["use"] == "sig")
            client_id = f"client-{len(self.clients):016x}"
            self.clients[client_id] = (jwe_steps.load_key(enc), jwe_steps.load_key(sig))
            if self.mode == "hostile_client_id":
                client_id += "\r\nX-Injected: 1"
            answer = json.dumps({"client_id": client_id}).encode()
            self._send(201, answer, self._json_media_type("registration_as_html"))
            return
        client_id = self.headers["X-Client-Id"]
        client_enc, client_sig = self.clients[client_id]
        try:
            request = nested.decrypt_then_verify(
                body,
                decryption_key=self.encryption,
                verification_keys=client_sig,
                issuer=client_id,
                audience="jwe-steps-practice",
                signing_algorithms={"ES256"},
                encryption_algorithms={"RSA-OAEP-256", "A256GCM"},
            )
        except jwe_steps.JWEError as error:
            self._error(401, error.code)
            return
        type(self).seen = {
            "body": body,
            "jwe_header": request.jwe.header,
            "jws_header": request.jws.header,
            "claims": request.claims,
            "client_sig_kid": client_sig.kid,
        }
        if self.mode == "hostile_error_code":
            forged = "kyc.refused\n\x1b[32mrecipe: OK, the answer verified\x1b[0m"
            self._error(403, forged)
            return
        self._send(
            200, self._answer(request.claims["jti"], client_id, client_enc), "application/jose"
        )

    def _answer(self, jti: str, client_id: str, client_enc: Any) -> bytes:
        now = int(time.time())
        claims = {
            "iss": "jwe-steps-practice",
            "aud": "client-someone-else" if self.mode == "wrong_aud" else client_id,
            "iat": now,
            "exp": now + 300,
            "in_reply_to": "another-request" if self.mode == "in_reply_to" else jti,
            "pan": "ABCDE1234F",
            "valid_format": True,
            "request_id": "req-0123456789abcdef",
        }
        if self.mode == "expired":
            claims |= {"iat": now - 1000, "exp": now - 700}
        elif self.mode == "issued_in_future":
            claims |= {"iat": now + HOUR, "exp": now + HOUR + 300}
        elif self.mode == "not_yet_valid":
            claims |= {"nbf": now + HOUR}
        elif self.mode == "exp_before_iat":
            claims |= {"iat": now + 20, "exp": now - 20}
        elif self.mode == "long_lived":
            claims |= {"exp": now + 10 * 365 * 24 * HOUR}
        signer = self.rogue if self.mode == "unknown_signer" else self.signing
        jws_header = {"kid": self.signing.kid, "typ": "JWT"}
        if self.mode == "honest-media-type-spellings":
            jws_header["typ"] = "application/jwt"  # RFC 7515 §4.1.9: the prefix may be kept
        elif self.mode == "wrong_typ":
            jws_header["typ"] = "secevent+jwt"
        elif self.mode == "no_typ":
            del jws_header["typ"]
        if self.mode == "honest-claims-retyped":
            claims["request_id"] = 12345
        payload = json.dumps(claims).encode()
        signed_token = jws.sign(payload, signer, alg=self.signing.alg, header=jws_header).token
        if self.mode.startswith(("pss_", "jws_header_")):
            signed_token = _signed_by_hand(self.mode, jws_header, payload, signer)
        if self.mode == "not_encrypted":
            return signed_token.encode()
        jwe_header = {"kid": client_enc.kid, "cty": "JWT"}
        if self.mode == "zip":
            jwe_header["zip"] = "DEF"
        elif self.mode == "unsigned_without_cty":
            del jwe_header["cty"]
        elif self.mode == "honest-media-type-spellings":
            jwe_header["cty"] = "jwt"  # media type names are case-insensitive
        unsigned = self.mode.startswith("unsigned")
        inner = payload if unsigned else signed_token.encode()
        outer = jwe_steps.encrypt(
            inner, client_enc, alg="RSA-OAEP-256", enc="A256GCM", header=jwe_header
        )
        return outer.token.encode()


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on a free local port in a thread, for as long as the block runs:
    the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def impostor():
    handler = type("Impostor", (_Impostor,), {"clients": {}})
    handler.encryption = jwe_steps.generate_key("RSA", size=2048)  # DEMO key (kid demo-...)
    with serving(handler) as url:
        yield handler, url


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("mode", IMPOSTOR_MODES)
def test_kyc_recipe_accepts_only_a_right_answer(lang, mode, impostor):
    handler, url = impostor
    alg = "PS256" if mode in ("honest-PS256", "pss_salt_20") else "ES256"
    handler.mode = mode
    handler.signing = jws.generate_signing_key(alg, kid="demo-impostor-sig")
    handler.rogue = jws.generate_signing_key(alg, kid="demo-impostor-sig")  # same kid, other key
    done = run(lang, "kyc", url)
    if mode.startswith("honest"):
        assert done.returncode == 0, done.stderr.decode()
        answer = json.loads(done.stdout)
        assert answer["iss"] == "jwe-steps-practice"
        # The request, exactly as the README's protocol has it, seen by a second implementation.
        seen = handler.seen
        assert seen["body"] == seen["body"].strip() and seen["body"].count(b".") == 4
        assert seen["jwe_header"] == {
            "alg": "RSA-OAEP-256",
            "enc": "A256GCM",
            "kid": handler.encryption.kid,
            "cty": "JWT",
        }
        assert seen["jws_header"] == {"alg": "ES256", "typ": "JWT", "kid": seen["client_sig_kid"]}
        claims = seen["claims"]
        assert set(claims) == {"iss", "aud", "iat", "exp", "jti", "pan", "name"}
        assert claims["aud"] == "jwe-steps-practice" and claims["pan"] == "ABCDE1234F"
        assert all(type(claims[name]) is int for name in ("iat", "exp"))
        assert 0 < claims["exp"] - claims["iat"] <= 300 and abs(claims["iat"] - time.time()) < 60
        assert isinstance(claims["jti"], str) and 16 <= len(claims["jti"]) <= 128
        assert answer["in_reply_to"] == claims["jti"]
        return
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == b""
    message = done.stderr.decode()
    stage = REFUSED_AS[mode]
    assert message.startswith(f"{lang} recipe: {stage}: "), message[-2000:]
    assert message.count("\n") == 1, message[-2000:]
    assert "ABCDE1234F" not in message and "\x1b" not in message
    assert "the answer verified" not in message  # the forged line (hostile_error_code)


@pytest.mark.parametrize("lang", LANGS)
def test_kyc_recipe_never_sends_a_loopback_call_through_a_proxy(lang, impostor, monkeypatch):
    # A proxy named by the environment, and nothing listening there: a recipe that sent the
    # practice server's plain-http calls through it would fail (urllib proxies 127.0.0.1 unless
    # NO_PROXY names it).
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    handler, url = impostor
    handler.mode = "honest-PS256"
    handler.signing = jws.generate_signing_key("PS256", kid="demo-impostor-sig")
    done = run(lang, "kyc", url)
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc",
        "ftp://127.0.0.1",
        "http://partner.invalid/",
        "http://192.0.2.1:8080",
        "http://127.0.0.1@partner.invalid/",  # the host is partner.invalid
        "http://localhost.partner.invalid/",
        "https://user:secret@127.0.0.1:9/",  # credentials in a URL end up in logs
        "http://127.0.0.1:9/?debug=1",  # the API's paths would be appended to the query
        "http://127.0.0.1:9/#part",
    ],
)
def test_kyc_recipe_refuses_a_base_url_that_is_not_https_before_connecting(lang, url):
    # Plain http only to loopback (the practice server): the partner's JWKS, its keys, comes
    # over this connection, and on a network anyone on the path could swap it.
    done = run(lang, "kyc", url)
    assert done.returncode == 1 and done.stdout == b""
    message = done.stderr.decode()
    assert message.startswith(f"{lang} recipe: url: ") and message.count("\n") == 1, message


# ------------------------------------------- kyc against a server that answers slowly or at length
#
# Every HTTP call a recipe makes is bounded: one deadline for the whole call (connect, send, the
# answer's head and body; RECIPE_TIMEOUT seconds in every recipe), and no more than MAX_BODY + 1
# bytes read of an answer. A server that trickles its answer (a byte every 0.2 s: 100 s in all)
# must not hold a recipe past its deadline, and one that floods must not be read to its end.

RECIPE_TIMEOUT = 10
RECIPE_MAX_BODY = 1 << 20


def _python_recipe(name: str) -> ModuleType:
    """recipes/python/NAME.py as a module (its `http` and constants), loaded afresh."""
    need("python" if name == "stages" else "python-lib")
    spec = importlib.util.spec_from_file_location(
        f"recipe_python_{name}", ROOT / "recipes" / "python" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["stages", "lib"])
@pytest.mark.parametrize("mode", ["head", "body"])
def test_python_recipe_http_has_one_deadline_for_the_whole_call(name, mode, monkeypatch):
    recipe = _python_recipe(name)
    assert (recipe.TIMEOUT, recipe.MAX_BODY) == (RECIPE_TIMEOUT, RECIPE_MAX_BODY)
    monkeypatch.setattr(recipe, "TIMEOUT", 1.0)
    with TricklingServer(mode, interval=0.2, length=500) as server:
        start = time.monotonic()
        with pytest.raises(recipe.RecipeError) as caught:
            recipe.http("GET", f"{server.url}/.well-known/jwks.json", None, {})
        elapsed = time.monotonic() - start
    assert str(caught.value).startswith("http: ")
    assert server.requests == 1 and server.finished == 0
    assert 0.9 <= elapsed < 10  # not before the deadline, and long before the 100 s trickle


class _Refusing(BaseHTTPRequestHandler):
    """Answers /redirect with a 302 elsewhere, anything else with a 409 JSON error."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            body = b""
        else:
            self.send_response(409)
            self.send_header("Content-Type", "application/json")
            body = b'{"error": {"code": "replay.jti_seen", "stage": "replay", "message": "m"}}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.parametrize("name", ["stages", "lib"])
def test_python_recipe_http_returns_error_answers_and_follows_no_redirect(name):
    recipe = _python_recipe(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        status, media_type, body = recipe.http("GET", f"{url}/v1/kyc/pan", None, {})
        assert (status, media_type) == (409, "application/json")
        assert json.loads(body)["error"]["code"] == "replay.jti_seen"
        assert recipe.http("GET", f"{url}/redirect", None, {})[0] == 302
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("lang", [lang for lang in LANGS if not lang.startswith("python")])
def test_kyc_recipe_gives_up_on_a_trickled_answer_at_its_deadline(lang):
    need(lang)  # built before the clock starts
    with TricklingServer("body", interval=0.2, length=500) as server:
        start = time.monotonic()
        done = run(lang, "kyc", server.url)
        elapsed = time.monotonic() - start
    assert done.returncode == 1 and done.stdout == b""
    message = done.stderr.decode()
    assert message.startswith(f"{lang} recipe: http: ") and message.count("\n") == 1
    assert server.requests == 1 and server.finished == 0
    # Not before its deadline, and long before the trickle would end (100 s): a JVM's start and
    # a shared machine's noise fit in the margin.
    assert RECIPE_TIMEOUT * 0.9 <= elapsed < 45


@pytest.mark.parametrize("lang", LANGS)
def test_kyc_recipe_reads_no_more_of_an_answer_than_its_cap(lang):
    with TricklingServer("flood", length=256 << 20) as server:  # a 256 MiB JWKS, sent flat out
        done = run(lang, "kyc", server.url)
    assert done.returncode == 1 and done.stdout == b""
    message = done.stderr.decode()
    assert message.startswith(f"{lang} recipe: ") and message.count("\n") == 1, message[-2000:]
    assert server.finished == 0
    # The recipe stopped after MAX_BODY + 1 bytes; what else left the server sat in the two
    # sockets' buffers (a few MiB on loopback), far from the 256 MiB a reader without a cap takes.
    assert server.sent < 64 << 20
