"""Errors raised for bad input, each naming the JWE stage where it failed.

Every error that :func:`jwe_steps.decrypt` raises for a bad token is a :class:`JWEError`.
Messages say what was expected, what was found, and what to do about it. They never contain
plaintext, a CEK, or private key material: only lengths, names and public structure.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """The stages of RFC 7516 §5.1/§5.2 that an error can name."""

    INPUT = "input"  # arguments given to encrypt()/decrypt() themselves
    LIMITS = "limits"  # size caps checked before any work is done
    SERIALIZATION = "serialization"  # splitting the token into its parts (§7)
    BASE64URL = "base64url"  # decoding one part (RFC 7515 §2, RFC 4648 §5)
    HEADER = "header"  # the JOSE header: JSON, required members, crit, zip (§4)
    ALGORITHM = "algorithm"  # alg/enc not supported or not allowed
    KEY = "key"  # key loading, key type, JWK alg/use, kid selection
    KEY_MANAGEMENT = "key_management"  # encrypting/decrypting the CEK (§5.1 step 4, §5.2 step 9)
    CEK = "cek"  # the content encryption key's length (§5.2 step 9)
    IV = "iv"  # the initialization vector's length
    TAG = "tag"  # the authentication tag's length
    CONTENT_DECRYPTION = "content_decryption"  # authenticated decryption (§5.2 step 16)
    DECOMPRESSION = "decompression"  # zip (§5.2 step 17)


class JWEError(Exception):
    """Base of every error jwe_steps raises for bad input.

    Attributes:
        stage: the :class:`Stage` (a str) where processing stopped.
        expected: what that stage needed, in words (or None).
        found: what it got instead, in words (or None). Never secret material.
        hint: what to do about it (or None).
    """

    stage: Stage = Stage.INPUT

    def __init__(
        self,
        message: str,
        *,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
        stage: Stage | None = None,
    ) -> None:
        if stage is not None:
            self.stage = stage
        self.message = message
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(self._compose())

    def _compose(self) -> str:
        text = f"[{self.stage}] {self.message}"
        facts = [
            f"{label} {value}"
            for label, value in (("expected", self.expected), ("found", self.found))
            if value is not None
        ]
        if facts:
            text += ": " + ", ".join(facts)
        text += "."
        if self.hint:
            text += f" {self.hint}"
        return text

    def to_dict(self) -> dict[str, str | None]:
        """A JSON-ready view of the error (used by the CLI and the practice server)."""
        return {
            "stage": str(self.stage),
            "message": str(self),
            "expected": self.expected,
            "found": self.found,
            "hint": self.hint,
        }


class InputError(JWEError):
    """An argument to encrypt()/decrypt() has the wrong type or value."""

    stage = Stage.INPUT


class SizeLimitError(JWEError):
    """Input is larger than a configured limit (see :class:`jwe_steps.Limits`)."""

    stage = Stage.LIMITS


class SerializationError(JWEError):
    """The token does not have the shape of a JWE serialization."""

    stage = Stage.SERIALIZATION


class Base64urlError(JWEError):
    """A part is not strict, unpadded, canonical base64url."""

    stage = Stage.BASE64URL


class HeaderError(JWEError):
    """The JOSE header is not valid JSON, misses a member, or carries one we must refuse."""

    stage = Stage.HEADER


class AlgorithmError(JWEError):
    """``alg`` or ``enc`` is unknown, or not in the allow-list."""

    stage = Stage.ALGORITHM


class InvalidKeyError(JWEError):
    """The key cannot be loaded, is too weak, or cannot serve this token."""

    stage = Stage.KEY


class KeyManagementError(JWEError):
    """The CEK could not be encrypted or decrypted with the given key."""

    stage = Stage.KEY_MANAGEMENT


class CEKLengthError(JWEError):
    """The CEK's length does not fit the content encryption algorithm."""

    stage = Stage.CEK


class IVLengthError(JWEError):
    """The IV's length does not fit the content encryption algorithm."""

    stage = Stage.IV


class TagLengthError(JWEError):
    """The authentication tag's length does not fit the content encryption algorithm."""

    stage = Stage.TAG


class DecryptionFailedError(JWEError):
    """Authenticated decryption failed: the tag did not verify.

    Deliberately uninformative (RFC 7516 §11.5): a wrong key, a wrong CEK, altered ciphertext,
    IV, header or tag all end here. Use :func:`jwe_steps.explain` with your own key to find out
    which.
    """

    stage = Stage.CONTENT_DECRYPTION


class DecompressionError(JWEError):
    """The decrypted content could not be decompressed, or grew past the cap."""

    stage = Stage.DECOMPRESSION


__all__ = [
    "AlgorithmError",
    "Base64urlError",
    "CEKLengthError",
    "DecompressionError",
    "DecryptionFailedError",
    "HeaderError",
    "IVLengthError",
    "InputError",
    "InvalidKeyError",
    "JWEError",
    "KeyManagementError",
    "SerializationError",
    "SizeLimitError",
    "Stage",
    "TagLengthError",
]
