"""One colour per JWE value, used by every view (HTML, SVG, terminal).

The colours are the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008), chosen to
stay distinguishable under the common colour-vision deficiencies. Colour is never the only cue:
every coloured element also carries its label in text.

The views draw a part as a translucent tint of its colour with a solid border in the full
colour, and leave the text in the theme's own foreground colour. A tint over a light or a dark
background keeps that text readable, so the same HTML works in JupyterLab's light and dark
themes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    """How one kind of value is drawn: its colour, its label, and what it is."""

    name: str
    label: str
    color: str  # "#rrggbb", an Okabe-Ito colour
    ansi: int  # the closest xterm-256 colour, for terminals
    description: str

    def tint(self, alpha: float = 0.22) -> str:
        """The colour as ``rgba(...)`` with ``alpha``: a background that suits both themes."""
        red, green, blue = (int(self.color[i : i + 2], 16) for i in (1, 3, 5))
        return f"rgba({red},{green},{blue},{alpha})"


# The five parts of a JWE, in compact-serialization order, then the values they are made from.
PARTS: dict[str, Part] = {
    part.name: part
    for part in (
        Part(
            "protected_header",
            "protected header",
            "#D55E00",  # vermillion
            166,
            "the JOSE header as UTF-8 JSON; integrity protected through the AAD",
        ),
        Part(
            "encrypted_key",
            "encrypted key",
            "#CC79A7",  # reddish purple
            175,
            "the content encryption key, encrypted to the recipient",
        ),
        Part("iv", "IV", "#009E73", 36, "the initialization vector"),  # bluish green
        Part("ciphertext", "ciphertext", "#0072B2", 25, "the encrypted content"),  # blue
        Part("tag", "authentication tag", "#E69F00", 178, "proves AAD and ciphertext unaltered"),
        Part(
            "aad",
            "AAD",
            "#F0E442",  # yellow
            185,
            "additional authenticated data: ASCII of the encoded protected header",
        ),
        Part("cek", "CEK", "#56B4E9", 74, "the content encryption key"),  # sky blue
        Part("plaintext", "plaintext", "#999999", 246, "the message itself"),  # grey
    )
}

TOKEN_PARTS: tuple[str, ...] = ("protected_header", "encrypted_key", "iv", "ciphertext", "tag")

# Other step names drawn in the colour of the part they are a form of.
ALIASES: dict[str, str] = {
    "header": "protected_header",
    "encoded_protected_header": "protected_header",
    "protected": "protected_header",
    "encoded_encrypted_key": "encrypted_key",
    "encoded_iv": "iv",
    "encoded_ciphertext": "ciphertext",
    "encoded_tag": "tag",
    "content": "plaintext",
    "mac_key": "cek",
    "enc_key": "cek",
}

NEUTRAL = Part("other", "other", "#7F7F7F", 244, "another intermediate value")

# Text and surfaces: JupyterLab's theme variables, with fallbacks for classic Notebook,
# VS Code and plain HTML.
FOREGROUND = "var(--jp-content-font-color1, inherit)"
MUTED = "var(--jp-content-font-color2, rgba(128,128,128,0.95))"
SURFACE = "var(--jp-layout-color1, transparent)"
RULE = "var(--jp-border-color2, rgba(128,128,128,0.45))"
MONO = "var(--jp-code-font-family, SFMono-Regular, Menlo, Consolas, monospace)"
OK_COLOR = "#009E73"  # bluish green
BAD_COLOR = "#D55E00"  # vermillion


def part(name: str) -> Part:
    """The :class:`Part` a step or part name is drawn as (a neutral grey when it has none)."""
    return PARTS.get(ALIASES.get(name, name), NEUTRAL)


def text_on(color: str) -> str:
    """Black or white, whichever contrasts more with the solid ``color`` (WCAG luminance)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(int(color[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#fff"


def chip_style(name: str, *, alpha: float = 0.22) -> str:
    """Inline CSS for a span coloured as part ``name``: tint, coloured underline, theme text."""
    drawn = part(name)
    return (
        f"background:{drawn.tint(alpha)};border-bottom:3px solid {drawn.color};"
        f"color:{FOREGROUND};border-radius:2px"
    )


def swatch(name: str) -> str:
    """A small square of the part's colour, for legends (always next to the part's label)."""
    drawn = part(name)
    return (
        f'<span aria-hidden="true" style="display:inline-block;width:0.9em;height:0.9em;'
        f'background:{drawn.color};border-radius:2px;vertical-align:-0.1em"></span>'
    )


__all__ = [
    "ALIASES",
    "NEUTRAL",
    "PARTS",
    "TOKEN_PARTS",
    "Part",
    "chip_style",
    "part",
    "swatch",
    "text_on",
]
