"""The ``from_scratch`` engine: the teaching implementations behind the primitives protocol.

``jwe_steps.encrypt(..., engine="from_scratch")`` (and ``decrypt``) give the algorithms a
:class:`FromScratchPrimitives` as ``ctx.primitives`` (see :mod:`jwe_steps.primitives`, which
imports this module only then). Each operation runs the from-scratch primitive and copies its
inner steps into the trace under a prefix (``gcm.H``, ``gcm.counter_block[1]``, ``oaep.seed``,
``aes_kw.A[6]``, ``cbc_hmac.M``, ``concat_kdf.OtherInfo``, ``pbes2.T[1]``) so a view can show the
primitive opened up beside the JWE steps. Steps are copied even when the primitive fails, so
``explain`` shows how far it got.

Results are byte-identical to the default engine (tests/test_engine_from_scratch.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import DecryptionFailedError, KeyManagementError
from ..primitives import (
    CRYPTOGRAPHY,
    ENGINES,
    FROM_SCRATCH,
    OAEP_SEED_OPTION,
    Engine,
    check_engine,
)
from ..trace import Step
from . import aes_kw, cbc_hmac, concat_kdf, gcm, oaep, pbes2

if TYPE_CHECKING:
    from ..trace import Trace


@contextmanager
def _recording(trace: Trace, prefix: str) -> Iterator[list[Step]]:
    """A list for the primitive's steps, copied into ``trace`` with ``prefix`` afterwards
    (also when the primitive raises)."""
    steps: list[Step] = []
    try:
        yield steps
    finally:
        own = {step.name for step in steps}
        for step in steps:
            trace.record(
                dataclasses.replace(
                    step,
                    name=prefix + step.name,
                    inputs=tuple(prefix + i if i in own else i for i in step.inputs),
                    detail={**step.detail, "engine": FROM_SCRATCH},
                )
            )


class FromScratchPrimitives:
    """The primitives of :mod:`jwe_steps.from_scratch`, recording every inner step.

    ``oaep_seed`` fixes the RSA-OAEP seed (for reproducible examples only). RSA1_5 and the
    elliptic-curve Diffie-Hellman itself have no teaching implementation: they run on
    ``cryptography``, as with the default engine.
    """

    engine: Engine = "from_scratch"

    def __init__(self, *, oaep_seed: bytes | None = None) -> None:
        self.oaep_seed = oaep_seed

    # -------------------------------------------------------------- content encryption

    def aes_gcm_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes, trace: Trace, prefix: str
    ) -> tuple[bytes, bytes]:
        with _recording(trace, prefix) as steps:
            result = gcm.encrypt(key, iv, plaintext, aad, steps=steps)
        return result.ciphertext, result.tag

    def aes_gcm_decrypt(
        self,
        key: bytes,
        iv: bytes,
        ciphertext: bytes,
        tag: bytes,
        aad: bytes,
        trace: Trace,
        prefix: str,
    ) -> bytes | None:
        with _recording(trace, prefix) as steps:
            try:
                return gcm.decrypt(key, iv, ciphertext, aad, tag, steps=steps).plaintext
            except DecryptionFailedError:
                return None

    def cbc_hmac_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes, trace: Trace
    ) -> tuple[bytes, bytes]:
        with _recording(trace, "cbc_hmac.") as steps:
            result = cbc_hmac.encrypt(key, iv, plaintext, aad, steps=steps)
        return result.ciphertext, result.tag

    def cbc_hmac_decrypt(
        self, key: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes, trace: Trace
    ) -> bytes | str:
        with _recording(trace, "cbc_hmac.") as steps:
            try:
                return cbc_hmac.decrypt(key, iv, ciphertext, aad, tag, steps=steps).plaintext
            except DecryptionFailedError as error:
                return error.found or error.message

    # -------------------------------------------------------------- key management

    def rsa_oaep_encrypt(
        self, public_key: Any, message: bytes, hash_name: str, trace: Trace
    ) -> bytes:
        with _recording(trace, "oaep.") as steps:
            result = oaep.encrypt(public_key, message, hash_name, seed=self.oaep_seed, steps=steps)
        return result.ciphertext

    def rsa_oaep_decrypt(
        self, private_key: Any, ciphertext: bytes, hash_name: str, trace: Trace
    ) -> bytes | None:
        with _recording(trace, "oaep.") as steps:
            try:
                return oaep.decrypt(private_key, ciphertext, hash_name, steps=steps).message
            except KeyManagementError:
                return None

    def rsa_pkcs1v15_encrypt(self, public_key: Any, message: bytes, trace: Trace) -> bytes:
        return CRYPTOGRAPHY.rsa_pkcs1v15_encrypt(public_key, message, trace)

    def rsa_pkcs1v15_decrypt(
        self, private_key: Any, ciphertext: bytes, trace: Trace
    ) -> bytes | None:
        return CRYPTOGRAPHY.rsa_pkcs1v15_decrypt(private_key, ciphertext, trace)

    def aes_key_wrap(self, kek: bytes, key: bytes, trace: Trace) -> bytes:
        with _recording(trace, "aes_kw.") as steps:
            return aes_kw.wrap(kek, key, steps=steps).wrapped

    def aes_key_unwrap(self, kek: bytes, wrapped: bytes, trace: Trace) -> bytes | None:
        with _recording(trace, "aes_kw.") as steps:
            try:
                return aes_kw.unwrap(kek, wrapped, steps=steps).key
            except KeyManagementError:
                return None

    def concat_kdf(
        self,
        z: bytes,
        algorithm_id: str,
        apu: bytes,
        apv: bytes,
        key_bits: int,
        other_info: bytes,
        trace: Trace,
    ) -> bytes:
        with _recording(trace, "concat_kdf.") as steps:
            return concat_kdf.derive(z, algorithm_id, key_bits, apu, apv, steps=steps).key

    def pbes2_kek(
        self,
        password: bytes,
        alg: str,
        p2s: bytes,
        p2c: int,
        salt_input: bytes,
        hash_bits: int,
        key_size: int,
        trace: Trace,
    ) -> bytes:
        with _recording(trace, "pbes2.") as steps:
            return pbes2.derive(password, alg, p2s, p2c, steps=steps).key

    def ecdh(self, private_key: Any, public_key: Any) -> bytes:
        return CRYPTOGRAPHY.ecdh(private_key, public_key)


__all__ = [
    "ENGINES",
    "FROM_SCRATCH",
    "OAEP_SEED_OPTION",
    "FromScratchPrimitives",
    "check_engine",
]
