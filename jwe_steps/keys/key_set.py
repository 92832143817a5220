"""Key sets (JWKS): a token's ``kid`` picks the key."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidKeyError
from .key import Key


@dataclass(frozen=True)
class KeySet:
    """A JWKS: several keys, of which a token's ``kid`` picks one."""

    keys: tuple[Key, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for key in self.keys:
            if key.kid is None:
                continue
            if key.kid in seen:
                raise InvalidKeyError(
                    "two keys in the key set have the same kid",
                    code="key.duplicate_kid",
                    expected="a distinct 'kid' for every key (a token's kid must pick one)",
                    found=f"kid {key.kid[:64]!r} more than once",
                    hint="Remove the stale key, or give each key its own kid.",
                )
            seen.add(key.kid)

    @property
    def kids(self) -> tuple[str | None, ...]:
        """The kid of each key, in order (None for a key without one)."""
        return tuple(key.kid for key in self.keys)

    def _known(self) -> str:
        return ", ".join(repr(kid) for kid in self.kids) or "none"

    def select(self, kid: str | None) -> Key:
        """The key whose ``kid`` matches; without a kid, the only key there is.

        Several keys and no kid is an error (code ``key.kid_required``) that lists the kids:
        the sender picks one with the header's ``kid`` (``jwe-steps encrypt --header
        '{"kid": "..."}'``).
        """
        if kid is not None:
            for key in self.keys:
                if key.kid == kid:
                    return key
            raise InvalidKeyError(
                "no key in the key set has the token's kid",
                code="key.kid_unknown",
                expected=f"one of {self._known()}",
                found=repr(kid[:64]),
                hint="Check which key the sender used, or add it to the key set.",
            )
        if len(self.keys) == 1:
            return self.keys[0]
        if not self.keys:
            raise InvalidKeyError(
                "the key set is empty", code="key.kid_required", expected="a key", found="none"
            )
        raise InvalidKeyError(
            "no kid says which key of the key set to use",
            code="key.kid_required",
            expected=f"a 'kid' header member naming one of {self._known()}",
            found=f"{len(self.keys)} keys and no kid",
            hint='Choose one by its kid in the header ({"kid": "..."}), or use a key '
            "set with one key.",
        )
