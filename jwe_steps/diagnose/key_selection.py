"""Which key, and may it serve alg: the kid, the key's type, the JWK's own alg/use/key_ops
(RFC 7516 §5.2 step 7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..algorithms import KeyManagement
from ..display import brief
from ..errors import InvalidKeyError
from ..keys import Key, KeySet, load_key, load_key_set
from .findings import Finding, Messages, say

_KID_FIX = (
    "Have the sender put in 'kid' the kid of the public key they encrypted to, as published in "
    "your JWKS."
)
MESSAGES: Messages = {
    "kid.mismatch:another_key_works": (
        "{problem}; your key with kid {kid!r} recovers the CEK.",
        _KID_FIX,
    ),
    "kid.mismatch:no_key_works": ("{problem}, so it cannot pick a key.", _KID_FIX),
    "kid.mismatch:single_key": (
        "The token's kid is {theirs!r} but your key's kid is {yours!r}: the sender encrypted "
        "to another key.",
        "Have the sender encrypt to your current public key (fetch it from your JWKS by kid), "
        "or decrypt with the key the kid names.",
    ),
    "kid.mismatch:key_opens": (
        "The token's kid is {theirs!r} but your key's kid is {yours!r}, yet your key recovers "
        "the CEK: the sender encrypted to this key. With the content then failing to decrypt, "
        "a kid that names another key points to a protected header changed after encryption "
        "(the header is the AAD, so a changed kid breaks the tag).",
        "Have the sender set every header member, kid included (your key's is {yours!r}), "
        "before encrypting, and send the token exactly as encrypted: no gateway or later code "
        "may rewrite the header part.",
    ),
    "key.type:curve": (
        "The sender's ephemeral key (epk) is {their_kty} {their_crv}, and yours is {kty} "
        "{crv}: the sender encrypted to a key on another curve.",
        "Decrypt with your {their_crv} key, or have the sender encrypt to your {crv} public key.",
    ),
    "key.type:kty": (
        "The token's alg {alg} needs a {wanted} key, and yours is a {kty} key.",
        "Decrypt with the {wanted} key the sender encrypted to, or have the sender use an alg "
        "made for {kty} keys.",
    ),
    "key.type:public": (
        "You passed a public {kty} key; {alg} decrypts with the private key.",
        "Load the private key (the JWK with 'd', or the PKCS#8 PEM) for explain.",
    ),
    "key.type:bound_alg": (
        "Your JWK is bound to alg {bound!r} (its 'alg' member), but the sender used {alg}: "
        "read as {alg}, your key recovers the CEK.",
        "Have the sender use {bound}, the alg your published key names.",
    ),
    "key.type:not_for_decryption": (
        "Your JWK does not allow decryption ({why}: {found}), yet the token was encrypted to it.",
        "Publish an encryption key: 'use' of 'enc', and 'key_ops' that allow decryption.",
    ),
}
_PROBLEMS = {
    "named": "The token's kid {kid!r} names a key in your set that does not decrypt it",
    "none": "The token has no kid, and your key set holds {count} keys ({known})",
    "unknown": "The token's kid {kid!r} matches none of your keys' kids ({known})",
}


@dataclass(frozen=True)
class KeyChoice:
    """A key to try, and the kid finding that trying it implies when it works.

    ``if_content_fails`` is the kid finding to report when this key recovers the CEK but the
    content still does not decrypt (a single key whose kid differs from the token's).
    """

    key: Key
    findings: tuple[Finding, ...] = ()
    if_content_fails: tuple[Finding, ...] = ()


def _key_set_options(keys: list[Key], kid: str | None) -> tuple[list[KeyChoice], list[Finding]]:
    known = ", ".join(repr(k.kid) for k in keys) or "none"
    named = kid is not None and any(k.kid == kid for k in keys)
    if kid is None and len(keys) == 1:
        return [KeyChoice(keys[0])], []
    which = "named" if named else "none" if kid is None else "unknown"
    problem = _PROBLEMS[which].format(kid=(kid or "")[:60], count=len(keys), known=known)
    choices = [
        KeyChoice(k)
        if kid is not None and k.kid == kid
        else KeyChoice(
            k, (say(MESSAGES, "kid.mismatch:another_key_works", problem=problem, kid=k.kid),)
        )
        for k in keys
    ]
    choices.sort(key=lambda c: len(c.findings))
    # When the kid names a key and no key works, the kid was right: key.mismatch says why.
    no_match = [] if named else [say(MESSAGES, "kid.mismatch:no_key_works", problem=problem)]
    return choices, no_match


def key_options(material: Any, header: Mapping[str, Any]) -> tuple[list[KeyChoice], list[Finding]]:
    """The keys to try, in order, and the kid finding to report when none of them works.

    A key set tries the key the token's kid names first, then the others: one of those that
    works proves the kid wrong. A single key is tried as it is; a different kid is reported
    only when the token does not decrypt (with a working key it is harmless): as "another
    key" when the key fails, as a sign of an edited header when it recovers the CEK but the
    content still fails (the choice's ``if_content_fails``).
    """
    kid = header.get("kid")
    kid = kid if isinstance(kid, str) else None
    if isinstance(material, KeySet) or (isinstance(material, Mapping) and "keys" in material):
        return _key_set_options(list(load_key_set(material).keys), kid)
    single = load_key(material)
    if kid is None or single.kid is None or kid == single.kid:
        return [KeyChoice(single)], []
    facts = {"theirs": kid[:60], "yours": single.kid}
    opens = say(MESSAGES, "kid.mismatch:key_opens", **facts)
    return [KeyChoice(single, if_content_fails=(opens,))], [
        say(MESSAGES, "kid.mismatch:single_key", **facts)
    ]


def key_type_finding(
    key: Key, km: KeyManagement, header: Mapping[str, Any] | None = None
) -> Finding | None:
    """key.type when this key can never serve ``km``: the wrong kty, only the public half, or
    (ECDH-ES) a curve other than the sender's ephemeral key's."""
    epk = (header or {}).get("epk")
    facts = {"alg": km.name, "kty": key.kty, "crv": key.curve}
    if km.family == "ecdh_es" and isinstance(epk, Mapping) and key.kty in km.key_types:
        theirs = (epk.get("kty"), epk.get("crv"))
        if theirs != (key.kty, key.curve):
            their_kty, their_crv = (brief(value, 10) for value in theirs)
            return say(
                MESSAGES, "key.type:curve", their_kty=their_kty, their_crv=their_crv, **facts
            )
    if key.kty not in km.key_types:
        return say(MESSAGES, "key.type:kty", wanted=" or ".join(km.key_types), **facts)
    if not key.is_private:
        return say(MESSAGES, "key.type:public", **facts)
    return None


def binding_finding(key: Key, alg: str, error: InvalidKeyError) -> Finding:
    """key.type for a JWK whose own alg, use or key_ops forbid what the sender did."""
    if key.alg is not None and key.alg != alg:
        return say(MESSAGES, "key.type:bound_alg", bound=key.alg, alg=alg)
    return say(MESSAGES, "key.type:not_for_decryption", why=error.message, found=error.found)
