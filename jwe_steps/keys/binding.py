"""Key binding (RFC 7516 §5.2 step 7): which key serves a token, and whether its JWK
members (``alg``, ``use``, ``key_ops``) allow it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidKeyError
from .key import Key
from .key_set import KeySet
from .loading import load_key, load_key_set

ENCRYPT_OPERATIONS = frozenset({"encrypt", "wrapKey", "deriveKey", "deriveBits"})
DECRYPT_OPERATIONS = frozenset({"decrypt", "unwrapKey", "deriveKey", "deriveBits"})


def check_key_allows(key: Key, alg: str, *, decrypting: bool, enc: str | None = None) -> None:
    """A JWK's own ``alg``, ``use`` and ``key_ops``, when present, must fit this operation
    (RFC 7517 §4.2-4.4).

    With ``dir`` the key is the CEK, so its JWK ``alg`` may name the content encryption
    algorithm instead (RFC 7520 §5.6 binds its key with ``"alg": "A128GCM"``).
    """
    if key.alg is not None and key.alg != alg and not _bound_to_enc(key, alg, enc):
        raise InvalidKeyError(
            "the key is bound to another algorithm by its JWK 'alg'",
            code="key.alg_binding",
            expected=f"a token with alg {key.alg!r}",
            found=f"alg {alg!r}",
            hint="Use the key made for this algorithm, or ask the sender which alg they used.",
        )
    if key.use is not None and key.use != "enc":
        raise InvalidKeyError(
            "the key is not for encryption",
            code="key.use",
            expected="JWK 'use' of 'enc'",
            found=f"use {key.use!r}",
            hint="A signing key ('sig') must not be used to encrypt or decrypt.",
        )
    if key.key_ops is not None:
        allowed = DECRYPT_OPERATIONS if decrypting else ENCRYPT_OPERATIONS
        if not allowed.intersection(key.key_ops):
            raise InvalidKeyError(
                "the key's 'key_ops' do not permit this operation",
                code="key.key_ops",
                expected="one of " + ", ".join(sorted(allowed)),
                found=", ".join(map(str, key.key_ops)) or "none",
            )


def _bound_to_enc(key: Key, alg: str, enc: str | None) -> bool:
    """With direct encryption a JWK's ``alg`` may name the ``enc`` its key serves."""
    from .. import algorithms as registry  # here: keys must not load every algorithm module

    management = registry.KEY_MANAGEMENT.get(alg)
    direct = management is not None and management.mode is registry.Mode.DIRECT_ENCRYPTION
    return direct and enc is not None and key.alg == enc


def resolve_key(material: Any, header: Mapping[str, Any], *, alg: str | None = None) -> Key:
    """RFC 7516 §5.2 step 7, "a key known to the recipient": ``material`` itself, or the
    member of a key set that the header's ``kid`` names.

    With ``alg`` (the key management algorithm), keys that share the kid are told apart by
    the key types ``alg`` works with (narrowed to the ``epk``'s ``kty`` for ECDH-ES) and by
    ``use`` ``"enc"`` (see :meth:`KeySet.select`).
    """
    if isinstance(material, Key):  # the common case, settled before the Mapping ABC check
        return material
    if isinstance(material, KeySet) or (isinstance(material, Mapping) and "keys" in material):
        kid = header.get("kid")
        kid = kid if isinstance(kid, str) else None
        keys = load_key_set(material)
        if alg is None:
            return keys.select(kid)
        return keys.select(kid, key_types=_key_types(alg, header), use="enc")
    return load_key(material)


def _key_types(alg: str, header: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The ``kty`` values ``alg`` works with; for a key agreement whose header carries the
    sender's ``epk``, only that key's type (the recipient's key is on the same curve)."""
    from .. import algorithms as registry  # here: keys must not load every algorithm module

    management = registry.KEY_MANAGEMENT.get(alg)
    if management is None:
        return None
    epk = header.get("epk")
    kty = epk.get("kty") if isinstance(epk, Mapping) else None
    if type(kty) is str and kty in management.key_types:
        return (kty,)
    return tuple(management.key_types)


def recipient_key(
    material: Any, header: Mapping[str, Any], alg: str, *, decrypting: bool, enc: str
) -> Key:
    """RFC 7516 §5.2 step 7 (and its sending-side twin): the key for this header, checked
    against its JWK ``alg``/``use``/``key_ops``."""
    key = resolve_key(material, header, alg=alg)
    check_key_allows(key, alg, decrypting=decrypting, enc=enc)
    return key
