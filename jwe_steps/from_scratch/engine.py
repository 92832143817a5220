"""The ``from_scratch`` engine: the algorithm modules' bridge to the teaching implementations.

``jwe_steps.encrypt(..., engine="from_scratch")`` (and ``decrypt``) set ``Context.engine``; each
algorithm module then calls one of the functions below instead of ``cryptography``. Each runs
the from-scratch primitive and copies its inner steps into the trace under a prefix
(``gcm.H``, ``gcm.counter_block[1]``, ``oaep.seed``, ``aes_kw.A[6]``, ``cbc_hmac.M``,
``concat_kdf.OtherInfo``, ``pbes2.T[1]``) so a view can show the primitive opened up beside the
JWE steps. Steps are copied even when the primitive raises, so ``explain`` shows how far it got.

Results are byte-identical to the default engine (tests/test_engine_from_scratch.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import DecryptionFailedError, InputError, KeyManagementError
from ..trace import Step
from . import aes_kw, cbc_hmac, concat_kdf, gcm, oaep, pbes2

if TYPE_CHECKING:
    from ..algorithms import Context

ENGINES = ("cryptography", "from_scratch")
FROM_SCRATCH = "from_scratch"
OAEP_SEED_OPTION = "oaep_seed"


def check_engine(engine: object) -> str:
    """``engine`` if it names an engine, else InputError."""
    if engine not in ENGINES:
        raise InputError(
            "unknown engine",
            expected=" or ".join(repr(name) for name in ENGINES),
            found=repr(engine)[:40],
            hint="'from_scratch' runs the teaching implementations in jwe_steps.from_scratch.",
        )
    assert isinstance(engine, str)
    return engine


def uses_from_scratch(ctx: Context) -> bool:
    """True when this operation runs on the teaching implementations."""
    return ctx.engine == FROM_SCRATCH


@contextmanager
def _recording(ctx: Context, prefix: str) -> Iterator[list[Step]]:
    """A list for the primitive's steps, copied into ``ctx.trace`` with ``prefix`` afterwards
    (also when the primitive raises)."""
    steps: list[Step] = []
    try:
        yield steps
    finally:
        own = {step.name for step in steps}
        for step in steps:
            ctx.trace.record(
                dataclasses.replace(
                    step,
                    name=prefix + step.name,
                    inputs=tuple(prefix + i if i in own else i for i in step.inputs),
                    detail={**step.detail, "engine": FROM_SCRATCH},
                )
            )


def _run(ctx: Context, prefix: str, call: Callable[[list[Step]], Any]) -> Any:
    with _recording(ctx, prefix) as steps:
        return call(steps)


# ------------------------------------------------------------------ content encryption


def gcm_encrypt(
    key: bytes, iv: bytes, plaintext: bytes, aad: bytes, ctx: Context, prefix: str = "gcm."
) -> tuple[bytes, bytes]:
    """AES-GCM encryption: ``(ciphertext, tag)``."""
    result: gcm.GCMEncryption = _run(
        ctx, prefix, lambda steps: gcm.encrypt(key, iv, plaintext, aad, steps=steps)
    )
    return result.ciphertext, result.tag


def gcm_decrypt(
    key: bytes,
    iv: bytes,
    ciphertext: bytes,
    tag: bytes,
    aad: bytes,
    ctx: Context,
    prefix: str = "gcm.",
) -> bytes:
    """AES-GCM decryption, or DecryptionFailedError."""
    result: gcm.GCMDecryption = _run(
        ctx, prefix, lambda steps: gcm.decrypt(key, iv, ciphertext, aad, tag, steps=steps)
    )
    return result.plaintext


def cbc_hmac_encrypt(
    key: bytes, iv: bytes, plaintext: bytes, aad: bytes, ctx: Context
) -> tuple[bytes, bytes]:
    """AES_CBC_HMAC_SHA2 encryption: ``(ciphertext, tag)``."""
    result: cbc_hmac.CBCHMACEncryption = _run(
        ctx, "cbc_hmac.", lambda steps: cbc_hmac.encrypt(key, iv, plaintext, aad, steps=steps)
    )
    return result.ciphertext, result.tag


def cbc_hmac_decrypt(
    key: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, ctx: Context
) -> bytes:
    """AES_CBC_HMAC_SHA2 decryption, or DecryptionFailedError."""
    result: cbc_hmac.CBCHMACDecryption = _run(
        ctx,
        "cbc_hmac.",
        lambda steps: cbc_hmac.decrypt(key, iv, ciphertext, aad, tag, steps=steps),
    )
    return result.plaintext


# ------------------------------------------------------------------ key management


def oaep_encrypt(public_key: Any, cek: bytes, hash_name: str, ctx: Context) -> bytes:
    """RSAES-OAEP encryption of the CEK, with ``ctx.options["oaep_seed"]`` when given."""
    seed = ctx.options.get(OAEP_SEED_OPTION)
    result: oaep.OAEPEncryption = _run(
        ctx, "oaep.", lambda steps: oaep.encrypt(public_key, cek, hash_name, seed=seed, steps=steps)
    )
    return result.ciphertext


def oaep_decrypt(private_key: Any, encrypted_key: bytes, hash_name: str, ctx: Context) -> bytes:
    """RSAES-OAEP decryption of the encrypted key, or one KeyManagementError for any failure."""
    result: oaep.OAEPDecryption = _run(
        ctx, "oaep.", lambda steps: oaep.decrypt(private_key, encrypted_key, hash_name, steps=steps)
    )
    return result.message


def key_wrap(kek: bytes, cek: bytes, ctx: Context) -> bytes:
    """RFC 3394 AES Key Wrap of the CEK."""
    result: aes_kw.KeyWrap = _run(ctx, "aes_kw.", lambda steps: aes_kw.wrap(kek, cek, steps=steps))
    return result.wrapped


def key_unwrap(kek: bytes, wrapped: bytes, ctx: Context) -> bytes:
    """RFC 3394 AES Key Unwrap, or KeyManagementError."""
    result: aes_kw.KeyUnwrap = _run(
        ctx, "aes_kw.", lambda steps: aes_kw.unwrap(kek, wrapped, steps=steps)
    )
    return result.key


def gcm_key_unwrap(
    kek: bytes, iv: bytes, encrypted_key: bytes, tag: bytes, ctx: Context, name: str
) -> bytes:
    """AES-GCM key unwrapping (RFC 7518 §4.7): a tag failure is a KeyManagementError here."""
    try:
        return gcm_decrypt(kek, iv, encrypted_key, tag, b"", ctx, prefix="gcmkw.")
    except DecryptionFailedError:
        raise KeyManagementError(
            f"{name} decryption of the encrypted key failed",
            expected="a 'tag' that verifies under this key",
            found="a tag that does not (wrong key, or iv, tag or encrypted key altered)",
        ) from None


def derive_concat_kdf(
    z: bytes, algorithm_id: str, apu: bytes, apv: bytes, key_bits: int, ctx: Context
) -> bytes:
    """The ECDH-ES Concat KDF (RFC 7518 §4.6.2)."""
    result: concat_kdf.ConcatKDF = _run(
        ctx,
        "concat_kdf.",
        lambda steps: concat_kdf.derive(z, algorithm_id, key_bits, apu, apv, steps=steps),
    )
    return result.key


def derive_pbes2(password: bytes, alg: str, p2s: bytes, p2c: int, ctx: Context) -> bytes:
    """PBES2's PBKDF2 (RFC 7518 §4.8.1.1): the key-encryption key."""
    result: pbes2.PBES2Derivation = _run(
        ctx, "pbes2.", lambda steps: pbes2.derive(password, alg, p2s, p2c, steps=steps)
    )
    return result.key


__all__ = [
    "ENGINES",
    "FROM_SCRATCH",
    "OAEP_SEED_OPTION",
    "cbc_hmac_decrypt",
    "cbc_hmac_encrypt",
    "check_engine",
    "derive_concat_kdf",
    "derive_pbes2",
    "gcm_decrypt",
    "gcm_encrypt",
    "gcm_key_unwrap",
    "key_unwrap",
    "key_wrap",
    "oaep_decrypt",
    "oaep_encrypt",
    "uses_from_scratch",
]
