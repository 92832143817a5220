"""Key sets (JWKS): a token's ``kid`` picks the key.

RFC 7517 §4.5 asks for distinct kids only with a SHOULD, and names keys of different ``kty``
that share a kid as equivalent alternatives. A set may hold such keys, and keys of one ``kty``
whose ``use`` differs (``sig`` and ``enc``): :meth:`KeySet.select` is then told which key types
and which use the operation needs. Two keys with one kid that nothing tells apart (the same
``kty``, and the same ``use`` or one without any) are refused (``key.duplicate_kid``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ..errors import InvalidKeyError, Stage
from .key import Key


@dataclass(frozen=True)
class SkippedKey:
    """An entry of a JWKS that :func:`load_key_set` could not use, and why (RFC 7517 §5: a
    key whose ``kty`` is not understood, that lacks required members or whose values are out
    of the supported range is ignored, not a reason to refuse the whole set).

    Attributes:
        index: the entry's position in the JWKS ``keys`` array.
        kid: the entry's ``kid`` when it is a string, else None.
        kty: the entry's ``kty`` when it is a string, else None.
        use: the entry's ``use`` when it is a string, else None.
        code: the code of the error loading it raised (``key.unsupported``, ``key.size``...).
        reason: that error's message (like every message here: no private key material).
    """

    index: int
    kid: str | None
    kty: str | None
    code: str
    reason: str
    use: str | None = None

    @property
    def label(self) -> str:
        """Which entry: ``entry 1 (kid 'sig-1')``."""
        kid = f" (kid {self.kid[:64]!r})" if self.kid is not None else ""
        return f"entry {self.index}{kid}"

    def describe(self) -> str:
        """One line: which entry, and why it was skipped."""
        return f"{self.label}: {self.code}, {self.reason}"


@dataclass(frozen=True)
class KeySet:
    """A JWKS: several keys, of which a token's ``kid`` picks one.

    Attributes:
        keys: the keys, in the order of the JWKS.
        skipped: the JWKS entries :func:`load_key_set` could not use (:class:`SkippedKey`:
            position, kid, kty, error code and reason), in order; empty for a set built from
            keys. Selecting a skipped entry's kid raises ``key.kid_skipped`` with its code.
    """

    keys: tuple[Key, ...]
    skipped: tuple[SkippedKey, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.keys, tuple | list) or not all(
            isinstance(key, Key) for key in self.keys
        ):
            raise InvalidKeyError(
                "a KeySet holds loaded keys",
                code="key.format",
                expected="KeySet((Key, ...)): keys from load_key, or use load_key_set(jwks)",
                found=type(self.keys).__name__
                if not isinstance(self.keys, tuple | list)
                else "an entry that is not a Key",
            )
        object.__setattr__(self, "keys", tuple(self.keys))
        # The uses seen per (kid, kty); a key without use could serve any, so it clashes with
        # every other key of its kid and kty (one set lookup per key, however many share one).
        uses: dict[tuple[str, str], set[str | None]] = {}
        for key in self.keys:
            if key.kid is None:
                continue
            seen = uses.setdefault((key.kid, key.kty), set())
            if None in seen or key.use in seen or (key.use is None and seen):
                raise InvalidKeyError(
                    "two keys in the key set have the same kid, kty and use",
                    code="key.duplicate_kid",
                    expected="a distinct 'kid' for every key, or keys that differ in 'kty' or "
                    "'use' (RFC 7517 §4.5)",
                    found=f"kid {key.kid[:64]!r} on two {key.kty[:16]} keys"
                    + (f" with use {key.use[:16]!r}" if key.use is not None else ""),
                    hint="Remove the stale key, or give each key its own kid.",
                )
            seen.add(key.use)

    @property
    def kids(self) -> tuple[str | None, ...]:
        """The kid of each key, in order (None for a key without one)."""
        return tuple(key.kid for key in self.keys)

    def _known(self) -> str:
        return ", ".join(repr(kid) for kid in self.kids) or "none"

    def select(
        self,
        kid: str | None,
        *,
        key_types: Collection[str] | None = None,
        use: str | None = None,
    ) -> Key:
        """The key whose ``kid`` matches; without a kid, the only key there is.

        ``key_types`` (the ``kty`` values the algorithm works with, e.g. ``("EC", "OKP")``
        for ECDH-ES) and ``use`` (``"enc"`` or ``"sig"``) choose among keys that share the
        kid; a key without ``use`` serves either. When only one key has the kid it is
        returned even if it does not fit, so that the check that follows says why (``key.type``,
        ``key.use``); when several do and none fits, the first of the right type. Several that
        fit equally is ``key.duplicate_kid``.

        Without a kid, when ``key_types`` or ``use`` say what the operation needs and exactly
        one key fits (a partner's JWKS with one ``enc`` and one ``sig`` key), that key. Several
        that fit and no kid is an error (code ``key.kid_required``) that lists the kids: the
        sender picks one with the header's ``kid`` (``jwe-steps encrypt --header
        '{"kid": "..."}'``). A kid that only a skipped entry of the JWKS has is
        ``key.kid_skipped``, naming that entry's own code; a kid nothing has, ``key.kid_unknown``.
        """
        if kid is None:
            return self._only_key(key_types, use)
        matches = [key for key in self.keys if key.kid == kid]
        if len(matches) == 1 and not self.skipped:  # the usual case: one key per kid
            return matches[0]
        return self._choose(kid, matches, key_types, use)

    def _choose(
        self,
        kid: str,
        matches: list[Key],
        key_types: Collection[str] | None,
        use: str | None,
    ) -> Key:
        """:meth:`select` when the kid is on several keys, on none, or the set skipped some."""
        # A skipped entry with this kid that could have been the key (its kty and use fit):
        # choosing another key would hide it, so the skip is the answer.
        rivals = [
            entry for entry in self.skipped if entry.kid == kid and _may_fit(entry, key_types, use)
        ]
        if rivals:
            raise self._skipped_error(kid, rivals)
        fitting = [key for key in matches if _fits(key, key_types, use)]
        if len(fitting) == 1:
            return fitting[0]
        if len(fitting) > 1:
            raise InvalidKeyError(
                "several keys in the key set have the token's kid, and nothing says which",
                code="key.duplicate_kid",
                expected="one key with this kid of the key type and use the algorithm needs",
                found=f"kid {kid[:64]!r} on {len(fitting)} keys: "
                + ", ".join(key.kty[:16] for key in fitting),
                hint="Give each key its own kid, or tell select() the key_types and use.",
            )
        if not matches:
            raise InvalidKeyError(
                "no key in the key set has the token's kid",
                code="key.kid_unknown",
                expected=f"one of {self._known()}",
                found=repr(kid[:64]),
                hint="Check which key the sender used, or add it to the key set.",
            )
        # None fits: the one whose type does (its use is then what is wrong), else the first;
        # the binding check that follows names the problem.
        return next(
            (key for key in matches if key_types is None or key.kty in key_types), matches[0]
        )

    def raise_if_skipped(
        self,
        kid: object,
        *,
        key_types: Collection[str] | None = None,
        use: str | None = None,
        stage: Stage | None = None,
    ) -> None:
        """Raise ``key.kid_skipped`` when a skipped entry with ``kid`` could be the key
        (``key_types`` and ``use`` as for :meth:`select`) and no loaded key with it fits: for
        a caller that looks keys up by kid itself (a JWS verifier)."""
        if not self.skipped or not isinstance(kid, str):
            return
        rivals = [e for e in self.skipped if e.kid == kid and _may_fit(e, key_types, use)]
        if rivals and not any(k.kid == kid and _fits(k, key_types, use) for k in self.keys):
            raise self._skipped_error(kid, rivals, stage)

    def _skipped_error(
        self, kid: str, skipped: list[SkippedKey], stage: Stage | None = None
    ) -> InvalidKeyError:
        first = skipped[0]
        return InvalidKeyError(
            "the key set's key with the token's kid was skipped when the set was loaded",
            code="key.kid_skipped",
            expected="a key this library can use (RSA, EC P-256/384/521, OKP X25519/X448, oct)",
            found=f"kid {kid[:64]!r}: {first.code}, {first.reason}",
            hint="KeySet.skipped lists every entry that was skipped and why.",
            stage=stage,
        )

    def _only_key(self, key_types: Collection[str] | None, use: str | None) -> Key:
        if len(self.keys) == 1:
            return self.keys[0]
        if not self.keys:
            raise InvalidKeyError(
                "the key set is empty", code="key.kid_required", expected="a key", found="none"
            )
        if key_types is not None or use is not None:
            fitting = [key for key in self.keys if _fits(key, key_types, use)]
            # Unambiguous only if no skipped entry could have been the key as well.
            if len(fitting) == 1 and not any(
                _may_fit(entry, key_types, use) for entry in self.skipped
            ):
                return fitting[0]
        raise InvalidKeyError(
            "no kid says which key of the key set to use",
            code="key.kid_required",
            expected=f"a 'kid' header member naming one of {self._known()}",
            found=f"{len(self.keys)} keys and no kid",
            hint='Choose one by its kid in the header ({"kid": "..."}), or use a key '
            "set with one key.",
        )


def _fits(key: Key, key_types: Collection[str] | None, use: str | None) -> bool:
    """Whether ``key`` can serve an operation on ``key_types`` for ``use`` (no use: either)."""
    return (key_types is None or key.kty in key_types) and (
        use is None or key.use is None or key.use == use
    )


def _may_fit(entry: SkippedKey, key_types: Collection[str] | None, use: str | None) -> bool:
    """Whether a skipped entry could have been the key such an operation wanted."""
    return (key_types is None or entry.kty is None or entry.kty in key_types) and (
        use is None or entry.use is None or entry.use == use
    )
