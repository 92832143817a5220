"""jwe-steps: JSON Web Encryption (RFC 7516) taken apart, one stage at a time.

    >>> import jwe_steps
    >>> key = jwe_steps.generate_key("RSA")              # a DEMO key
    >>> trace = jwe_steps.encrypt(b"hi", key.public_key(), alg="RSA-OAEP-256", enc="A256GCM")
    >>> jwe_steps.decrypt(trace.token, key).plaintext
    b'hi'

Every result is a Trace: ``trace.steps`` in RFC order, ``trace["cek"]`` for one value.
"""

from .errors import JWEError, Stage
from .keys import Key, KeySet, generate_key, load_key, load_key_set
from .limits import DEFAULT_LIMITS, Limits
from .pipeline import decrypt, encrypt
from .trace import DecryptTrace, EncryptTrace, Step, Trace

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_LIMITS",
    "DecryptTrace",
    "EncryptTrace",
    "JWEError",
    "Key",
    "KeySet",
    "Limits",
    "Stage",
    "Step",
    "Trace",
    "__version__",
    "decrypt",
    "encrypt",
    "generate_key",
    "load_key",
    "load_key_set",
]
