"""The contenders of the speed and memory benchmarks, each an encrypt+decrypt of a compact JWE:

* ``floor``: the bare `cryptography` calls plus base64url (floor.py);
* ``jwe_steps``: ``jwe_steps.encrypt`` / ``jwe_steps.decrypt``, every step recorded;
* ``jwcrypto``: ``jwcrypto.jwe.JWE``, ``serialize(compact=True)`` / ``deserialize``;
* ``joserfc``: ``joserfc.jwe.encrypt_compact`` / ``decrypt_compact``.

and the signed-then-encrypted request (:func:`nested_round_trips`): PS256 inside
RSA-OAEP-256 + A256GCM, ``jwe_steps.nested.sign_then_encrypt`` / ``decrypt_then_verify``
against the floor (bare PSS sign/verify + the JWE floor) and each peer's own JWS inside its JWE.

Keys are parsed once, outside the timed calls, by each library's own key type. Each round trip
checks that the plaintext came back. A peer that refuses a size with its default settings is
measured with that limit raised, and the refusal is reported (see :func:`peer_refusals`).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from floor import (
    floor_decrypt,
    floor_decrypt_cbc,
    floor_decrypt_ecdh,
    floor_decrypt_then_verify,
    floor_encrypt,
    floor_encrypt_cbc,
    floor_encrypt_ecdh,
    floor_sign_then_encrypt,
)
from joserfc import jwe as rfc_jwe
from joserfc import jwk as rfc_jwk
from joserfc import jws as rfc_jws
from jwcrypto import jwe as jw_jwe
from jwcrypto import jwk as jw_jwk
from jwcrypto import jws as jw_jws

import jwe_steps
from jwe_steps import nested

CONTENDERS = ("floor", "jwe_steps", "jwcrypto", "joserfc")
PEERS = ("jwcrypto", "joserfc")


@dataclass(frozen=True)
class Scenario:
    label: str
    alg: str
    enc: str
    kty: str
    floor_encrypt: Callable[[bytes, Any], str]
    floor_decrypt: Callable[[str, Any], bytes]


SCENARIOS = {
    "gcm": Scenario(
        "RSA-OAEP-256 + A256GCM", "RSA-OAEP-256", "A256GCM", "RSA", floor_encrypt, floor_decrypt
    ),
    "cbc": Scenario(
        "RSA-OAEP-256 + A128CBC-HS256",
        "RSA-OAEP-256",
        "A128CBC-HS256",
        "RSA",
        floor_encrypt_cbc,
        floor_decrypt_cbc,
    ),
    "ecdh": Scenario(
        "ECDH-ES+A256KW + A256GCM (P-256)",
        "ECDH-ES+A256KW",
        "A256GCM",
        "EC",
        floor_encrypt_ecdh,
        floor_decrypt_ecdh,
    ),
}


@dataclass
class Keys:
    """One DEMO key pair, parsed once by each library."""

    private_jwk: dict[str, Any]
    ours: jwe_steps.Key
    ours_public: jwe_steps.Key
    jwcrypto: Any
    jwcrypto_public: Any
    joserfc: Any
    joserfc_public: Any

    @classmethod
    def make(cls, kty: str) -> Keys:
        return cls.from_jwk(jwe_steps.generate_key(kty).to_jwk(private=True))  # a DEMO key

    @classmethod
    def make_signing(cls, alg: str = "PS256") -> Keys:
        """A DEMO RSA key for signatures: ``use: "sig"`` (generate_key marks keys "enc")."""
        jwk = jwe_steps.generate_key("RSA", alg=alg).to_jwk(private=True)
        return cls.from_jwk({**jwk, "use": "sig"})

    @classmethod
    def from_jwk(cls, private_jwk: dict[str, Any]) -> Keys:
        kty = private_jwk["kty"]
        ours = jwe_steps.load_key(private_jwk)
        public_jwk = ours.public_key().to_jwk()
        return cls(
            private_jwk,
            ours,
            ours.public_key(),
            jw_jwk.JWK(**private_jwk),
            jw_jwk.JWK(**public_jwk),
            rfc_jwk.import_key(private_jwk, kty),
            rfc_jwk.import_key(public_jwk, kty),
        )


def joserfc_registry(scenario: Scenario, *, raised: bool) -> Any:
    """joserfc's registry allowing this alg/enc; ``raised`` lifts its 64 KB ciphertext cap."""
    registry = rfc_jwe.JWERegistry(algorithms=[scenario.alg, scenario.enc])
    if raised:
        registry.max_ciphertext_length = 1 << 40
    return registry


def encryptors(scenario: Scenario, keys: Keys) -> dict[str, Callable[[bytes], str]]:
    """Each contender's compact encryption, with settings that accept any size."""
    protected = {"alg": scenario.alg, "enc": scenario.enc}
    registry = joserfc_registry(scenario, raised=True)

    def ours(plaintext: bytes) -> str:
        token: str = jwe_steps.encrypt(
            plaintext, keys.ours_public, alg=scenario.alg, enc=scenario.enc
        ).token
        return token

    def jwcrypto(plaintext: bytes) -> str:
        sent = jw_jwe.JWE(plaintext, protected=json.dumps(protected))
        sent.add_recipient(keys.jwcrypto_public)
        token: str = sent.serialize(compact=True)
        return token

    def joserfc(plaintext: bytes) -> str:
        # A fresh header each call: joserfc adds members (epk) to the dict it is given.
        token: str = rfc_jwe.encrypt_compact(
            dict(protected), plaintext, keys.joserfc_public, registry=registry
        )
        return token

    return {
        "floor": lambda plaintext: scenario.floor_encrypt(plaintext, keys.ours_public.material),
        "jwe_steps": ours,
        "jwcrypto": jwcrypto,
        "joserfc": joserfc,
    }


def decryptors(
    scenario: Scenario, keys: Keys, *, max_token_bytes: int | None = None
) -> dict[str, Callable[[str], bytes]]:
    """Each contender's compact decryption, with settings that accept any size."""
    registry = joserfc_registry(scenario, raised=True)
    limits = None if max_token_bytes is None else jwe_steps.Limits(max_token_bytes=max_token_bytes)

    def ours(token: str) -> bytes:
        return jwe_steps.decrypt(token, keys.ours, limits=limits).plaintext

    def jwcrypto(token: str) -> bytes:
        received = jw_jwe.JWE()
        received.deserialize(token, keys.jwcrypto)
        plaintext: bytes = received.payload
        return plaintext

    def joserfc(token: str) -> bytes:
        plaintext: bytes = rfc_jwe.decrypt_compact(token, keys.joserfc, registry=registry).plaintext
        return plaintext

    return {
        "floor": lambda token: scenario.floor_decrypt(token, keys.ours.material),
        "jwe_steps": ours,
        "jwcrypto": jwcrypto,
        "joserfc": joserfc,
    }


def round_trips(scenario: Scenario, keys: Keys, plaintext: bytes) -> dict[str, Callable[[], None]]:
    """encrypt+decrypt of ``plaintext`` per contender, checking the plaintext comes back."""
    encrypt, decrypt = encryptors(scenario, keys), decryptors(scenario, keys)

    def round_trip(name: str) -> Callable[[], None]:
        seal, open_ = encrypt[name], decrypt[name]

        def run() -> None:
            if open_(seal(plaintext)) != plaintext:
                raise AssertionError(f"{name} did not return the plaintext")

        return run

    return {name: round_trip(name) for name in CONTENDERS}


def peer_refusals(scenario: Scenario, keys: Keys, plaintext: bytes) -> dict[str, str]:
    """Which peers refuse this payload with their default settings, and what they say."""
    refusals: dict[str, str] = {}
    protected = {"alg": scenario.alg, "enc": scenario.enc}
    token = jwe_steps.encrypt(plaintext, keys.ours_public, alg=scenario.alg, enc=scenario.enc).token
    registry = joserfc_registry(scenario, raised=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        attempts: dict[str, Callable[[], object]] = {
            "jwcrypto": lambda: decryptors(scenario, keys)["jwcrypto"](token),
            "joserfc": lambda: (
                rfc_jwe.encrypt_compact(
                    dict(protected), plaintext, keys.joserfc_public, registry=registry
                ),
                rfc_jwe.decrypt_compact(token, keys.joserfc, registry=registry),
            ),
        }
        for name, attempt in attempts.items():
            try:
                attempt()
            except Exception as error:  # any refusal is what we report
                refusals[name] = f"{type(error).__name__}: {error}"[:120]
    return refusals


# ------------------------------------------------ the signed-then-encrypted request

NESTED_LABEL = "PS256 in RSA-OAEP-256 + A256GCM"
ISSUER, AUDIENCE = "https://client.example", "https://api.example"  # demo names


def nested_claims(size: int) -> dict[str, Any]:
    """A request's claims (iss, aud, iat, exp, jti) with ``size`` characters of data."""
    return nested.fresh_claims(issuer=ISSUER, audience=AUDIENCE, data="x" * size)


def nested_round_trips(
    encryption: Keys, signing: Keys, claims: dict[str, Any], *, raised: bool = True
) -> dict[str, Callable[[], None]]:
    """sign-then-encrypt and decrypt-then-verify per contender, checking the claims;
    ``raised`` lifts joserfc's size caps (128 000 B of JWS payload, 64 KB of JWE ciphertext)."""
    jws_header = json.dumps({"alg": "PS256", "typ": "JWT"})
    jwe_header = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"}
    registry = rfc_jwe.JWERegistry(algorithms=["RSA-OAEP-256", "A256GCM"])
    jws_registry = rfc_jws.JWSRegistry(algorithms=["PS256"])
    if raised:
        registry.max_ciphertext_length = 1 << 40
        jws_registry.max_payload_length = 1 << 40

    def payload() -> bytes:
        # Every contender starts from the claims: the JSON text is made in each round trip.
        return json.dumps(claims, separators=(",", ":")).encode("utf-8")

    def floor() -> Any:
        token = floor_sign_then_encrypt(
            claims, signing.ours.material, encryption.ours_public.material
        )
        return floor_decrypt_then_verify(
            token, encryption.ours.material, signing.ours_public.material
        )

    def ours() -> Any:
        token = nested.sign_then_encrypt(
            claims, signing_key=signing.ours, signing_alg="PS256",
            encryption_key=encryption.ours_public,
        ).token  # fmt: skip
        return nested.decrypt_then_verify(
            token, decryption_key=encryption.ours, verification_keys=signing.ours_public,
            issuer=ISSUER, audience=AUDIENCE, signing_algorithms={"PS256"},
        ).claims  # fmt: skip

    def jwcrypto() -> Any:
        signed = jw_jws.JWS(payload())
        signed.add_signature(signing.jwcrypto, alg="PS256", protected=jws_header)
        sent = jw_jwe.JWE(signed.serialize(compact=True).encode(), protected=json.dumps(jwe_header))
        sent.add_recipient(encryption.jwcrypto_public)
        received = jw_jwe.JWE()
        received.deserialize(sent.serialize(compact=True), encryption.jwcrypto)
        inner = jw_jws.JWS()
        inner.deserialize(received.payload.decode(), signing.jwcrypto_public)
        return json.loads(inner.payload)

    def joserfc() -> Any:
        signed = rfc_jws.serialize_compact(
            {"alg": "PS256", "typ": "JWT"}, payload(), signing.joserfc, registry=jws_registry
        )
        token = rfc_jwe.encrypt_compact(
            dict(jwe_header), signed.encode(), encryption.joserfc_public, registry=registry
        )
        opened = rfc_jwe.decrypt_compact(token, encryption.joserfc, registry=registry)
        inner = rfc_jws.deserialize_compact(
            opened.plaintext, signing.joserfc_public, registry=jws_registry
        )
        return json.loads(inner.payload)

    def checked(name: str, run: Callable[[], Any]) -> Callable[[], None]:
        def round_trip() -> None:
            if run() != claims:
                raise AssertionError(f"{name} did not return the claims")

        return round_trip

    runs = {"floor": floor, "jwe_steps": ours, "jwcrypto": jwcrypto, "joserfc": joserfc}
    return {name: checked(name, runs[name]) for name in CONTENDERS}


def nested_refusals(encryption: Keys, signing: Keys, claims: dict[str, Any]) -> dict[str, str]:
    """Which peers refuse this request with their default settings, and what they say."""
    refusals: dict[str, str] = {}
    runs = nested_round_trips(encryption, signing, claims, raised=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in PEERS:
            try:
                runs[name]()
            except Exception as error:  # any refusal is what we report
                refusals[name] = f"{type(error).__name__}: {error}"[:120]
    return refusals
