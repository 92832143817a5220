"""jwe-steps: JSON Web Encryption (RFC 7516) taken apart, one stage at a time.

    >>> import jwe_steps
    >>> key = jwe_steps.generate_key("RSA")              # a DEMO key
    >>> trace = jwe_steps.encrypt(b"hi", key.public_key(), alg="RSA-OAEP-256", enc="A256GCM")
    >>> jwe_steps.decrypt(trace.token, key).plaintext
    b'hi'

Every result is a Trace: ``trace.steps`` in RFC order, ``trace["cek"]`` for one value.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import JWEError, Stage

if TYPE_CHECKING:
    from .explanation import Explanation, explain
    from .keys import Key, KeySet, generate_key, load_key, load_key_set
    from .limits import DEFAULT_LIMITS, Limits
    from .pipeline import Recipient, decrypt, encrypt
    from .trace import DecryptTrace, EncryptTrace, Step, Trace

__version__ = "0.1.0"

# The public names, and the module each one lives in. They are imported on first use, so that
# ``import jwe_steps`` (and ``jwe-steps --help``, whose module sits inside this package) does not
# pay for loading cryptography and every algorithm module before it is needed.
_LAZY_NAMES = {
    "DEFAULT_LIMITS": "limits",
    "DecryptTrace": "trace",
    "EncryptTrace": "trace",
    "Explanation": "explanation",
    "Key": "keys",
    "KeySet": "keys",
    "Limits": "limits",
    "Recipient": "pipeline",
    "Step": "trace",
    "Trace": "trace",
    "decrypt": "pipeline",
    "encrypt": "pipeline",
    "explain": "explanation",
    "generate_key": "keys",
    "load_key": "keys",
    "load_key_set": "keys",
}

# Submodules that ``import jwe_steps`` used to load as a side effect, so ``jwe_steps.algorithms``
# and the like keep working as attributes without an explicit import.
_LAZY_SUBMODULES = frozenset(
    {
        "aad", "algorithms", "allow_list", "b64", "cek", "decryption", "deflate", "encryption",
        "errors", "from_scratch", "header", "iv", "kdf", "keys", "limits", "pipeline",
        "primitives", "serialization", "trace",
    }
)  # fmt: skip


def __getattr__(name: str) -> Any:
    """Import a public name (or a core submodule) the first time it is used (PEP 562)."""
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    elif name in _LAZY_SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_NAMES) | _LAZY_SUBMODULES)


__all__ = [
    "DEFAULT_LIMITS",
    "DecryptTrace",
    "EncryptTrace",
    "Explanation",
    "JWEError",
    "Key",
    "KeySet",
    "Limits",
    "Recipient",
    "Stage",
    "Step",
    "Trace",
    "__version__",
    "decrypt",
    "encrypt",
    "explain",
    "generate_key",
    "load_key",
    "load_key_set",
]
