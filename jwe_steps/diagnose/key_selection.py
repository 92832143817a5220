"""Which key, and may it serve alg: the kid, the key's type, the JWK's own alg/use/key_ops
(RFC 7516 §5.2 step 7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..algorithms import KeyManagement
from ..errors import InvalidKeyError
from ..keys import Key, KeySet, load_key, load_key_set
from .findings import Finding, finding

_KID_FIX = (
    "Have the sender put in 'kid' the kid of the public key they encrypted to, as published in "
    "your JWKS."
)


@dataclass(frozen=True)
class KeyChoice:
    """A key to try, and the kid finding that trying it implies when it works."""

    key: Key
    findings: tuple[Finding, ...] = ()


def _key_set_options(keys: list[Key], kid: str | None) -> tuple[list[KeyChoice], list[Finding]]:
    known = ", ".join(repr(k.kid) for k in keys) or "none"
    named = kid is not None and any(k.kid == kid for k in keys)
    if named:
        problem = f"The token's kid {kid!r} names a key in your set that does not decrypt it"
    elif kid is None and len(keys) == 1:
        return [KeyChoice(keys[0])], []
    elif kid is None:
        problem = f"The token has no kid, and your key set holds {len(keys)} keys ({known})"
    else:
        problem = f"The token's kid {kid[:60]!r} matches none of your keys' kids ({known})"
    choices = [
        KeyChoice(k)
        if kid is not None and k.kid == kid
        else KeyChoice(
            k,
            (
                finding(
                    "kid.mismatch",
                    f"{problem}; your key with kid {k.kid!r} recovers the CEK.",
                    _KID_FIX,
                ),
            ),
        )
        for k in keys
    ]
    choices.sort(key=lambda c: len(c.findings))
    # When the kid names a key and no key works, the kid was right: key.mismatch says why.
    no_match = (
        [] if named else [finding("kid.mismatch", f"{problem}, so it cannot pick a key.", _KID_FIX)]
    )
    return choices, no_match


def key_options(material: Any, header: Mapping[str, Any]) -> tuple[list[KeyChoice], list[Finding]]:
    """The keys to try, in order, and the kid finding to report when none of them works.

    A key set tries the key the token's kid names first, then the others: one of those that
    works proves the kid wrong. A single key is tried as it is; a different kid is reported
    only when the key fails (with a working key it is harmless).
    """
    kid = header.get("kid")
    kid = kid if isinstance(kid, str) else None
    if isinstance(material, KeySet) or (isinstance(material, Mapping) and "keys" in material):
        return _key_set_options(list(load_key_set(material).keys), kid)
    single = load_key(material)
    failure: list[Finding] = []
    if kid is not None and single.kid is not None and kid != single.kid:
        failure.append(
            finding(
                "kid.mismatch",
                f"The token's kid is {kid[:60]!r} but your key's kid is {single.kid!r}: the "
                "sender encrypted to another key.",
                "Have the sender encrypt to your current public key (fetch it from your JWKS "
                "by kid), or decrypt with the key the kid names.",
            )
        )
    return [KeyChoice(single)], failure


def key_type_finding(
    key: Key, km: KeyManagement, header: Mapping[str, Any] | None = None
) -> Finding | None:
    """key.type when this key can never serve ``km``: the wrong kty, only the public half, or
    (ECDH-ES) a curve other than the sender's ephemeral key's."""
    epk = (header or {}).get("epk")
    if km.family == "ecdh_es" and isinstance(epk, Mapping) and key.kty in km.key_types:
        theirs = (epk.get("kty"), epk.get("crv"))
        if theirs != (key.kty, key.curve):
            return finding(
                "key.type",
                f"The sender's ephemeral key (epk) is {str(theirs[0])[:10]} "
                f"{str(theirs[1])[:10]}, and yours is {key.kty} {key.curve}: the sender "
                "encrypted to a key on another curve.",
                f"Decrypt with your {str(theirs[1])[:10]} key, or have the sender encrypt to "
                f"your {key.curve} public key.",
            )
    if key.kty not in km.key_types:
        wanted = " or ".join(km.key_types)
        return finding(
            "key.type",
            f"The token's alg {km.name} needs a {wanted} key, and yours is a {key.kty} key.",
            f"Decrypt with the {wanted} key the sender encrypted to, or have the sender use an "
            f"alg made for {key.kty} keys.",
        )
    if not key.is_private:
        return finding(
            "key.type",
            f"You passed a public {key.kty} key; {km.name} decrypts with the private key.",
            "Load the private key (the JWK with 'd', or the PKCS#8 PEM) for explain.",
        )
    return None


def binding_finding(key: Key, alg: str, error: InvalidKeyError) -> Finding:
    """key.type for a JWK whose own alg, use or key_ops forbid what the sender did."""
    if key.alg is not None and key.alg != alg:
        message = (
            f"Your JWK is bound to alg {key.alg!r} (its 'alg' member), but the sender used "
            f"{alg}: read as {alg}, your key recovers the CEK."
        )
        fix = f"Have the sender use {key.alg}, the alg your published key names."
    else:
        message = (
            f"Your JWK does not allow decryption ({error.message}: {error.found}), yet the "
            "token was encrypted to it."
        )
        fix = "Publish an encryption key: 'use' of 'enc', and 'key_ops' that allow decryption."
    return finding("key.type", message, fix)
