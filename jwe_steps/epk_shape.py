"""Protected headers that differ from one token to the next only in the ``epk`` coordinates.

Every ECDH-ES token carries a fresh ephemeral public key in its protected header (RFC 7518
§4.6.1.1), so its header text is new each time, yet only the coordinates' base64url text
changes. A :class:`EpkShape` is the text around them, cut from one header that was written
(sending) or strictly parsed (receiving):

* **sending**: the next header is the shape with the new coordinates put in. The shape was cut
  from a text ``serialize_header`` wrote for the same members, so the bytes are the ones it
  would write;
* **receiving**: a header that is a known shape with base64url characters where the
  coordinates go has, without parsing, the known members with those coordinates. Putting
  characters that need no escaping where a JSON string's content was changes that string's
  value and nothing else: the text stays valid strict JSON, with the same members in the same
  order. :func:`cut_shape` proves the holes are the coordinates' strings (a probe with other
  coordinates must parse to exactly the expected members), and a text that does not match a
  shape goes through the strict parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import JWEError

COORDINATES = ("x", "y")
"""The epk members a shape leaves open, in the order they must appear in the text."""
EPK_MEMBERS = frozenset(("kty", "crv", *COORDINATES))
"""The only members an epk may have for its header to have a shape (all strings)."""
MAX_COORDINATE_TEXT = 96
"""The longest coordinate text a shape matches (P-521's 66 bytes take 88 characters)."""
_OPENING = '"x":"'  # where the first hole starts: what a received header is looked up by
_HOLE = f"([A-Za-z0-9_-]{{1,{MAX_COORDINATE_TEXT}}})"


@dataclass(frozen=True)
class EpkShape:
    """A header text with holes where the epk's coordinates go (``pieces`` around them)."""

    pieces: tuple[str, ...]  # one more than names: the text before, between and after
    names: tuple[str, ...]  # ("x", "y") for an EC key, ("x",) for an OKP key
    pattern: re.Pattern[str]  # the text from the first hole on, coordinates as groups

    @property
    def key(self) -> str:
        """The text before the first hole (ending in ``"x":"``): what :func:`shape_key`
        finds in a header of this shape."""
        return self.pieces[0]

    def fill(self, epk: Mapping[str, str]) -> str:
        """The header text with ``epk``'s coordinates in the holes."""
        pieces, names = self.pieces, self.names
        if len(names) == 2:
            return "".join((pieces[0], epk["x"], pieces[1], epk["y"], pieces[2]))
        return "".join((pieces[0], epk["x"], pieces[1]))

    def coordinates(self, text: str) -> tuple[str, ...] | None:
        """The coordinates' texts when ``text`` (whose :func:`shape_key` is this shape's key)
        is this shape filled in, else None."""
        found = self.pattern.fullmatch(text, len(self.pieces[0]))
        return None if found is None else found.groups()


def shape_key(text: str) -> str | None:
    """The text up to and including the first ``"x":"``, or None when there is none."""
    end = text.find(_OPENING)
    return None if end < 0 else text[: end + len(_OPENING)]


def cut_shape(
    text: str, members: Mapping[str, Any], parse: Callable[[str], Any]
) -> EpkShape | None:
    """The shape of header ``text``, whose members (as ``parse``, the strict parser, reads
    them) are ``members``; None when it has none: an epk other than string kty, crv, x
    and y, a coordinate that is not plain base64url, that appears in the text more than once
    or not after ``"x":"``/``"y":"``, or holes the probe does not confirm."""
    epk = members.get("epk")
    if type(epk) is not dict or not EPK_MEMBERS.issuperset(epk) or "x" not in epk:
        return None
    if not all(type(value) is str for value in epk.values()):
        return None
    names = tuple(name for name in COORDINATES if name in epk)
    pieces, start = [], 0
    for name in names:
        value = epk[name]
        if not re.fullmatch(_HOLE, value) or text.count(value) != 1:
            return None
        at, opening = text.index(value), f'"{name}":"'
        if at < max(start, len(opening)) or not text.startswith(opening, at - len(opening)):
            return None
        pieces.append(text[start:at])
        start = at + len(value)
    pieces.append(text[start:])
    if shape_key(text) != pieces[0]:
        return None
    pattern = re.compile(_HOLE + "".join(re.escape(p) + _HOLE for p in pieces[1:-1])
                         + re.escape(pieces[-1]))  # fmt: skip
    shape = EpkShape(tuple(pieces), names, pattern)
    # The probe: other coordinates in the holes must change the epk's coordinates and nothing
    # else (the holes are those strings' whole content, not text around another string's).
    probe = {name: ("A" if epk[name][0] != "A" else "B") * len(epk[name]) for name in names}
    expected = {**members, "epk": {**epk, **probe}}
    try:
        probed = parse(shape.fill(probe))
    except JWEError:
        return None
    if probed != expected or list(probed) != list(expected) or list(probed["epk"]) != list(epk):
        return None
    return shape


def with_coordinates(members: Mapping[str, Any], coordinates: tuple[str, ...]) -> dict[str, Any]:
    """``members`` with the epk's coordinates (x, then y if there is one) set to
    ``coordinates``, as new dicts."""
    epk = dict(members["epk"])
    if len(coordinates) == 2:
        epk["x"], epk["y"] = coordinates
    else:
        (epk["x"],) = coordinates
    return {**members, "epk": epk}


__all__ = [
    "COORDINATES",
    "EPK_MEMBERS",
    "MAX_COORDINATE_TEXT",
    "EpkShape",
    "cut_shape",
    "shape_key",
    "with_coordinates",
]
