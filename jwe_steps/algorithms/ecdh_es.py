"""ECDH-ES key agreement: RFC 7518 §4.6 (``ECDH-ES``, ``ECDH-ES+A128KW/A192KW/A256KW``), on
P-256, P-384, P-521 (RFC 7518 §6.2) and X25519, X448 (RFC 8037 §3.2).

The sender makes an ephemeral key pair on the recipient's curve, puts its public half in the
``epk`` header parameter, and agrees a shared secret Z with the recipient's public key. The
Concat KDF (see :mod:`jwe_steps.kdf`) turns Z into either the CEK itself (``ECDH-ES``, direct
key agreement) or a key-encryption key that AES-wraps a random CEK (``ECDH-ES+AxxxKW``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import ec, x448, x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..b64 import b64url_decode_quiet, b64url_encode
from ..display import name_or_kind
from ..errors import HeaderError, InvalidKeyError, JWEError, KeyManagementError
from ..header import header_bytes
from ..kdf import other_info
from ..primitives import CRYPTOGRAPHY, Primitives, Record, aes_key_unwrap, aes_key_wrap
from ..trace import Trace
from . import (
    CekOpener,
    ContentEncryption,
    Context,
    EpkSealer,
    KeyManagement,
    Mode,
    WrappedKey,
    register,
)
from ._checks import require_key_type
from .aes_kw import unwrap_cek, wrap_cek

if TYPE_CHECKING:
    from ..keys import Key

# The curves the sender's ephemeral key and the epk are handled on directly (the same checks
# load_key makes, without building a Key: the ephemeral key lives for one message). They are
# every curve load_key accepts for EC and OKP keys.
_EC_CURVES: dict[str, tuple[ec.EllipticCurve, int]] = {  # a curve object holds no state
    "P-256": (ec.SECP256R1(), 32),
    "P-384": (ec.SECP384R1(), 48),
    "P-521": (ec.SECP521R1(), 66),
}
_OKP_CURVES: dict[str, tuple[Any, Any, int]] = {
    "X25519": (x25519.X25519PrivateKey, x25519.X25519PublicKey, 32),
    "X448": (x448.X448PrivateKey, x448.X448PublicKey, 56),
}


def fresh_ephemeral(curve: str) -> tuple[Any, dict[str, str]]:
    """A new ephemeral private key on ``curve`` and its public JWK (kty, crv, x[, y], each
    coordinate at the curve's full size, RFC 7518 §6.2.1)."""
    if curve in _EC_CURVES:
        named_curve, size = _EC_CURVES[curve]
        private = ec.generate_private_key(named_curve)
        # SEC 1's uncompressed point 04 || X || Y, each coordinate at the curve's full size.
        point = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return private, {
            "kty": "EC",
            "crv": curve,
            "x": b64url_encode(point[1 : 1 + size]),
            "y": b64url_encode(point[1 + size :]),
        }
    if curve in _OKP_CURVES:
        private = _OKP_CURVES[curve][0].generate()
        raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return private, {"kty": "OKP", "crv": curve, "x": b64url_encode(raw)}
    # Unreachable: load_key accepts exactly these five curves (key.unsupported otherwise).
    raise KeyError(curve)


def epk_public_key(epk: dict[str, Any]) -> Any:
    """The public key of an ``epk`` whose members are exactly the usual ones, checked as
    load_key checks them (strict base64url, each coordinate's exact size, the point on the
    curve); None for anything else, which then goes through load_key and its errors."""
    curve, x, y = epk.get("crv"), epk.get("x"), epk.get("y")
    try:
        if (
            epk.get("kty") == "EC"
            and curve in _EC_CURVES
            and isinstance(x, str)
            and isinstance(y, str)
        ):
            named_curve, size = _EC_CURVES[curve]
            raw_x, raw_y = b64url_decode_quiet(x), b64url_decode_quiet(y)
            if len(raw_x) != size or len(raw_y) != size:
                return None
            # SEC 1's uncompressed point 04 || X || Y: OpenSSL refuses a point off the curve
            # and a coordinate not below the field prime (ValueError; from numbers, x + p
            # would pass as x), as load_key does.
            return ec.EllipticCurvePublicKey.from_encoded_point(
                named_curve, b"".join((b"\x04", raw_x, raw_y))
            )
        if epk.get("kty") == "OKP" and curve in _OKP_CURVES and isinstance(x, str) and y is None:
            raw = b64url_decode_quiet(x)
            if len(raw) != _OKP_CURVES[curve][2]:
                return None
            return _OKP_CURVES[curve][1].from_public_bytes(raw)
    except ValueError:  # b64url_decode_quiet's, or OpenSSL's for a point off the curve
        return None  # load_key says what is wrong
    return None


def public_jwk(key: Key) -> dict[str, str]:
    """The public members of ``key`` in the order RFC 7518 examples use: kty, crv, x[, y]."""
    members = key.to_jwk()  # public members only (private=False), also for a private key
    ordered = {"kty": members["kty"], "crv": members["crv"], "x": members["x"]}
    if "y" in members:
        ordered["y"] = members["y"]
    return ordered


def _public_members(epk: dict[str, Any]) -> dict[str, Any]:
    """The public members of an ``epk`` header parameter, in the order public_jwk uses."""
    return {name: epk[name] for name in ("kty", "crv", "x", "y") if name in epk}


def _other_info_step(
    algorithm_id: str, apu: bytes, apv: bytes, key_bits: int, info: bytes
) -> tuple[Any, ...]:
    """The ``kdf_other_info`` step's record: OtherInfo and what it is made of."""
    return (
        "kdf_other_info", info,
        f"Concat KDF OtherInfo: AlgorithmID {algorithm_id!r}, PartyUInfo ({len(apu)} B), "
        f"PartyVInfo ({len(apv)} B), SuppPubInfo {key_bits} bits, each length-prefixed",
        _KDF_RFC,
        {"inputs": ("header",), "operation": _OTHER_INFO_OPERATION,
         "detail": {"algorithm_id": algorithm_id, "apu": apu, "apv": apv, "key_bits": key_bits}},
    )  # fmt: skip


_EPK_RFC, _KDF_RFC = "RFC 7518 §4.6.1.1", "RFC 7518 §4.6.2"
_OTHER_INFO_OPERATION = "len||AlgorithmID || len||apu || len||apv || keydatalen (32-bit lengths)"
_DERIVED_EXTRA = {
    "inputs": ("shared_secret", "kdf_other_info"),
    "operation": "SHA-256(counter || Z || OtherInfo), truncated to keydatalen",
}
_SENDER_Z_EXTRA = {
    "inputs": ("ephemeral_public_key",),
    "operation": "ECDH(ephemeral private key, recipient public key)",
}
_RECIPIENT_Z_EXTRA = {
    "inputs": ("ephemeral_public_key",),
    "operation": "ECDH(recipient private key, ephemeral public key)",
}
# The one-call forms compute with the cryptography engine, whose primitives record no inner
# steps: the trace they are handed is never written to.
_UNUSED_TRACE = Trace("ecdh_es")


@functools.cache
def _curve_texts(curve: str) -> tuple[str, str, str, str]:
    """What the ephemeral key and Z steps say on ``curve``, made once per curve: the sender's
    epk and Z, then the recipient's."""
    return (
        f"the sender's ephemeral {curve} public key, sent as the 'epk' header parameter",
        f"Z: the {curve} Diffie-Hellman shared secret of the ephemeral and recipient keys",
        f"the sender's ephemeral {curve} public key, from the 'epk' header parameter",
        f"Z: the {curve} Diffie-Hellman shared secret of the recipient and ephemeral keys",
    )


@functools.cache
def _plain_other_info(algorithm_id: str, key_bits: int) -> tuple[bytes, tuple[Any, ...]]:
    """OtherInfo and its step for a header without ``apu`` and ``apv`` (the usual case),
    made once per algorithm rather than on every key agreement."""
    info = other_info(algorithm_id, b"", b"", key_bits)
    return info, _other_info_step(algorithm_id, b"", b"", key_bits, info)


def shared_secret(private: Key, public: Key, ctx: Context | None = None) -> bytes:
    """Z: ECDH (SEC 1 §3.3.1) or X25519/X448 (RFC 7748 §6)."""
    primitives = CRYPTOGRAPHY if ctx is None else ctx.primitives
    return primitives.ecdh(private.material, public.material)


class ECDHES(KeyManagement):
    """Ephemeral-static ECDH, then the Concat KDF; optionally AES Key Wrap of a random CEK.

    Each side's work is one method that records its steps through a ``record`` function
    (a trace's ``add_record``, or a fresh trace's list ``append`` in the one-call forms
    :meth:`epk_sealer` and :meth:`opener`): :meth:`agree_as_sender`, :meth:`agree_as_recipient`.
    """

    family = "ecdh_es"

    key_types = ("EC", "OKP")
    rfc = "RFC 7518 §4.6"
    header_params = ("epk",)
    optional_header_params = ("apu", "apv")

    def __init__(self, wrap_bits: int | None):
        self.wrap_bits = wrap_bits
        if wrap_bits is None:
            self.name = "ECDH-ES"
            self.mode = Mode.DIRECT_KEY_AGREEMENT
            self.description = "ephemeral-static ECDH; the Concat KDF output is the CEK"
        else:
            self.name = f"ECDH-ES+A{wrap_bits}KW"
            self.key_size = wrap_bits // 8
            self.key_wrap = f"A{wrap_bits}KW"
            self.encrypted_key_kind = "aes_key_wrap"
            self.mode = Mode.KEY_AGREEMENT_WITH_KEY_WRAPPING
            self.description = (
                f"ephemeral-static ECDH; the Concat KDF output wraps the CEK with A{wrap_bits}KW"
            )
        self._derived_meaning = (
            "the Concat KDF output: the CEK"
            if wrap_bits is None
            else f"the Concat KDF output: the A{wrap_bits}KW key-encryption key"
        )

    def derive(
        self,
        z: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        record: Record,
        primitives: Primitives,
        trace: Trace,
    ) -> bytes:
        """RFC 7518 §4.6.2: the Concat KDF inputs and output, recorded as steps."""
        # AlgorithmID is enc for direct key agreement, alg when the result wraps the CEK.
        algorithm_id = enc.name if self.wrap_bits is None else self.name
        key_bits = 8 * (enc.key_size if self.wrap_bits is None else self.wrap_bits // 8)
        if "apu" in header or "apv" in header:
            apu = header_bytes(header, "apu", alg=self.name, optional=True)
            apv = header_bytes(header, "apv", alg=self.name, optional=True)
            info = other_info(algorithm_id, apu, apv, key_bits)
            record(_other_info_step(algorithm_id, apu, apv, key_bits, info))
        else:  # the usual header: OtherInfo and its step depend on the algorithm alone
            apu = apv = b""
            info, step = _plain_other_info(algorithm_id, key_bits)
            record(step)
        derived = primitives.concat_kdf(z, algorithm_id, apu, apv, key_bits, info, trace)
        record(("derived_key", derived, self._derived_meaning, _KDF_RFC, _DERIVED_EXTRA))
        return derived

    def determine_cek(
        self,
        key: Key,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        """ECDH-ES (direct key agreement): the Concat KDF output is the CEK."""
        derived, epk = self.agree(key, enc, header, ctx)
        return WrappedKey(derived, b"", {"epk": epk})

    def wrap(
        self,
        key: Key,
        cek: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> WrappedKey:
        """ECDH-ES+AxxxKW: the Concat KDF output wraps the CEK."""
        derived, epk = self.agree(key, enc, header, ctx)
        return WrappedKey(cek, wrap_cek(derived, cek, ctx), {"epk": epk})

    def agree(
        self, key: Key, enc: ContentEncryption, header: dict[str, Any], ctx: Context
    ) -> tuple[bytes, dict[str, str]]:
        """An ephemeral key pair, Z with the recipient's key, and the Concat KDF output."""
        require_key_type(self, key, private=False)
        recipient = key.public_key()
        curve = recipient.curve or ""
        ephemeral = ctx.options.get("ephemeral_key")
        if ephemeral is None:
            private, epk = fresh_ephemeral(curve)
        elif ephemeral.kty != recipient.kty or ephemeral.curve != curve or not ephemeral.is_private:
            raise InvalidKeyError(
                "the fixed ephemeral key does not fit the recipient's key",
                code="key.curve",
                expected=f"a private {curve} key",
                found=f"a {ephemeral.curve or ephemeral.kty} key",
            )
        else:
            private, epk = ephemeral.material, public_jwk(ephemeral)
        derived = self.agree_as_sender(
            private, epk, recipient.material, curve, enc, header,
            ctx.trace.add_record, ctx.primitives, ctx.trace,
        )  # fmt: skip
        return derived, epk

    def agree_as_sender(
        self,
        private: Any,
        epk: dict[str, str],
        public: Any,
        curve: str,
        enc: ContentEncryption,
        header: dict[str, Any],
        record: Record,
        primitives: Primitives,
        trace: Trace,
    ) -> bytes:
        """The sender's half of §4.6: the ephemeral key ``private`` (sent as ``epk``) and
        the recipient's ``public``, Z, then the Concat KDF output, each recorded."""
        texts = _curve_texts(curve)
        record(("ephemeral_public_key", epk, texts[0], _EPK_RFC, None))
        z: bytes = primitives.ecdh(private, public)
        record(("shared_secret", z, texts[1], _KDF_RFC, _SENDER_Z_EXTRA))
        return self.derive(z, enc, header, record, primitives, trace)

    def epk_sealer(
        self, key: Key, enc: ContentEncryption, header: Mapping[str, Any]
    ) -> EpkSealer | None:
        """:meth:`wrap` for this one key, enc and protected ``header`` with a fresh ephemeral
        key and the ``cryptography`` engine, as one call ``(CEK, record) -> (encrypted key,
        epk)``; None for direct key agreement (no CEK to wrap) and for a header with ``apu``
        or ``apv`` (OtherInfo then depends on them)."""
        if self.wrap_bits is None or "apu" in header or "apv" in header:
            return None
        require_key_type(self, key, private=False)
        recipient = key.public_key()
        curve = recipient.curve or ""
        public = recipient.material
        usual: dict[str, Any] = {}
        agree_as_sender = self.agree_as_sender

        def seal(cek: bytes, record: Record) -> tuple[bytes, dict[str, str]]:
            private, epk = fresh_ephemeral(curve)
            kek = agree_as_sender(
                private, epk, public, curve, enc, usual, record, CRYPTOGRAPHY, _UNUSED_TRACE
            )
            return aes_key_wrap(kek, cek), epk

        return seal

    def ephemeral_key(self, key: Key, header: dict[str, Any]) -> Any:
        """The ``epk`` header parameter as a validated public key on the recipient's curve
        (a ``cryptography`` public key)."""
        epk = header.get("epk")
        if not isinstance(epk, dict):
            raise HeaderError(
                f"{self.name} needs the 'epk' header parameter",
                code="header.epk_missing",
                expected="'epk': a JWK object with the sender's ephemeral public key",
                found="none" if epk is None else type(epk).__name__,
            )
        if "d" in epk:
            raise HeaderError(
                "the 'epk' header parameter carries a private key",
                code="header.epk_private",
                expected="only the public members (kty, crv, x, y)",
                found="a 'd' member",
            )
        if epk.get("kty") != key.kty or epk.get("crv") != key.curve:
            raise HeaderError(
                "the ephemeral key is not on the recipient key's curve",
                code="header.epk_curve",
                expected=f"kty {key.kty!r}, crv {key.curve!r}",
                found=f"kty {name_or_kind(epk.get('kty'), 10)}, "
                f"crv {name_or_kind(epk.get('crv'), 10)}",
            )
        direct = epk_public_key(epk)
        if direct is not None:
            return direct
        from ..keys import load_key  # keys imports the algorithms: at call time, when needed

        try:
            return load_key(_public_members(epk)).material
        except JWEError as error:
            raise HeaderError(
                "the 'epk' header parameter is not a valid public key",
                code="header.epk_invalid",
                expected=f"a point on {key.curve}",
                found=error.message,
            ) from None

    def agree_as_recipient(
        self,
        key: Key,
        enc: ContentEncryption,
        header: dict[str, Any],
        record: Record,
        primitives: Primitives,
        trace: Trace,
    ) -> bytes:
        """The recipient's half of §4.6: the ``epk`` checked, Z, then the Concat KDF output,
        each recorded; HeaderError for an epk that is missing, private, on another curve, not
        a point, or of low order."""
        ephemeral = self.ephemeral_key(key, header)
        texts = _curve_texts(key.curve or "")
        # The header's own public members, in public_jwk's order: ephemeral_key checked kty
        # and crv and decoded x (and y) strictly at their exact sizes, so they are what
        # public_jwk(ephemeral) would rebuild from the key, at a fraction of the cost.
        epk = header["epk"]
        members = {"kty": epk["kty"], "crv": epk["crv"], "x": epk["x"]}
        if "y" in epk:
            members["y"] = epk["y"]
        record(("ephemeral_public_key", members, texts[2], _EPK_RFC, None))
        try:
            z = primitives.ecdh(key.material, ephemeral)
        except ValueError:
            # X25519/X448 with a low-order point yields an all-zero secret (RFC 7748 §6).
            raise HeaderError(
                "the 'epk' header parameter is a degenerate point",
                code="header.epk_invalid",
                expected=f"a {key.curve} public key of full order",
                found="a key whose shared secret is all zeros",
            ) from None
        record(("shared_secret", z, texts[3], _KDF_RFC, _RECIPIENT_Z_EXTRA))
        return self.derive(z, enc, header, record, primitives, trace)

    def unwrap(
        self,
        key: Key,
        encrypted_key: bytes,
        enc: ContentEncryption,
        header: dict[str, Any],
        ctx: Context,
    ) -> bytes:
        require_key_type(self, key, private=True)
        derived = self.agree_as_recipient(
            key, enc, header, ctx.trace.add_record, ctx.primitives, ctx.trace
        )
        if self.wrap_bits is None:
            if encrypted_key:
                raise KeyManagementError(
                    "ECDH-ES (direct key agreement) tokens carry no encrypted key",
                    code="key_management.encrypted_key_not_empty",
                    expected="an empty encrypted key part (RFC 7516 §5.2 step 10)",
                    found=f"{len(encrypted_key)} bytes",
                )
            return derived
        return unwrap_cek(derived, encrypted_key, self.name, ctx)

    def opener(self, key: Key, enc: ContentEncryption) -> CekOpener:
        """:meth:`try_unwrap` for this one key and enc with the ``cryptography`` engine, as
        one call; its HeaderError (the epk) is raised as unwrap raises it."""
        require_key_type(self, key, private=True)
        agree_as_recipient, wrapping = self.agree_as_recipient, self.wrap_bits is not None

        def open_(encrypted_key: bytes, header: dict[str, Any], record: Record) -> bytes | None:
            derived = agree_as_recipient(key, enc, header, record, CRYPTOGRAPHY, _UNUSED_TRACE)
            if wrapping:
                return aes_key_unwrap(derived, encrypted_key)
            return None if encrypted_key else derived

        return open_


for _bits in (None, 128, 192, 256):
    register(ECDHES(_bits))
