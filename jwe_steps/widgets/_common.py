"""What the widgets share: DEMO keys made once per session, and reading a pasted key."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from .. import algorithms as registry
from ..algorithms import Mode
from ..errors import JWEError
from ..keys import Key, generate_key, load_key

_DEMO_KEYS: dict[tuple[str, int, str], Key] = {}


def demo_key(kty: str, *, size: int = 2048, crv: str = "P-256") -> Key:
    """A DEMO key of this type, made once per session and reused (RSA keys are slow to make)."""
    cache_key = (kty, size, crv)
    if cache_key not in _DEMO_KEYS:
        _DEMO_KEYS[cache_key] = generate_key(kty, size=size, crv=crv)  # type: ignore[arg-type]
    return _DEMO_KEYS[cache_key]


def _symmetric_size(alg: str, enc: str) -> int | None:
    """The bytes a symmetric key for ``alg`` must have (None: any length, as for a password)."""
    management = registry.key_management(alg)
    if management.mode is Mode.DIRECT_ENCRYPTION:
        return registry.content_encryption(enc).key_size
    if management.family == "pbes2":
        return None  # a password: any length
    return management.key_size


def demo_key_for(alg: str, enc: str) -> Key:
    """A DEMO key that fits ``alg`` (and ``enc``, for ``dir``)."""
    management = registry.key_management(alg)
    if "RSA" in management.key_types:
        return demo_key("RSA", size=2048)
    if "EC" in management.key_types:
        return demo_key("EC", crv="P-256")
    return demo_key("oct", size=8 * (_symmetric_size(alg, enc) or 32))


def fits(key: Key, alg: str, enc: str) -> bool:
    """Whether ``key`` has the type (and, for symmetric keys, the size) ``alg`` needs."""
    management = registry.key_management(alg)
    if key.kty not in management.key_types or (key.alg is not None and key.alg != alg):
        return False
    if key.kty != "oct":
        return True
    wanted = _symmetric_size(alg, enc)
    return wanted is None or len(key.material) == wanted


def layout(**kwargs: Any) -> widgets.Layout:
    return widgets.Layout(**kwargs)


def parse_key(text: str) -> Key:
    """A pasted JWK or PEM; anything unreadable is a ValueError naming only its type."""
    try:
        return load_key(text.strip())
    except JWEError:
        raise
    except Exception as error:  # anything else a pasted key can provoke is still bad input
        raise ValueError(f"the key could not be read ({type(error).__name__})") from None


def given_key(key: Any) -> Key | None:
    return load_key(key) if key is not None else None


__all__ = ["demo_key", "demo_key_for", "fits", "given_key", "layout", "parse_key"]
