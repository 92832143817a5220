"""serialization.separators, which finds a compact token's dots for the JWE (4) and the JWS (2)
without splitting the whole text, against the plain reading: split on '.' and count."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jwe_steps.serialization import separators


def _by_split(token: str, count: int) -> tuple[int, ...] | None:
    parts = token.split(".")
    if len(parts) != count + 1:
        return None
    positions, position = [], -1
    for part in parts[:-1]:
        position += len(part) + 1
        positions.append(position)
    return tuple(positions)


@given(st.text(alphabet="ab.", max_size=12), st.integers(min_value=1, max_value=5))
def test_separators_are_the_dots_of_a_token_with_exactly_that_many(token, count):
    assert separators(token, count) == _by_split(token, count)


def test_the_usual_shapes():
    assert separators("h.p.s", 2) == (1, 3)
    assert separators("h.p.s.", 2) is None
    assert separators("h.p", 2) is None
    assert separators("..", 2) == (0, 1)
    assert separators("h.k.i.c.t", 4) == (1, 3, 5, 7)
    assert separators("h.k.i.c.t.x", 4) is None
