"""Badge artwork generated from what a badge is, for issuers and achievements that have not uploaded an image.

An achievement's artwork shows its name (wrapped, at the largest size that fits, so that it stays readable when
the badge is shown at 128 px), the level it attests when there is one, its issuer, and the City's mark. The
colour and the frame come from the achievement's place among its issuer's achievements, so that no two badges of
one issuer share both (and their names differ anyway). The SVG uses only generic fonts and no external reference:
it is rasterised by resvg with the bundled Bitstream Vera fonts (``verification.artefacts.rasterise``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# Colours with white text above 4.5:1 contrast (WCAG AA), far enough apart to be told apart.
PALETTE = ["#12358c", "#006a78", "#1f6b2a", "#8e2f3c", "#5b3d8a", "#8a4b0f", "#0b5e45", "#7a2d62",
           "#2f4858", "#a0312b"]
FRAMES = ["hexagon", "circle", "shield", "octagon"]
VIEWBOX = 200
TEXT_WIDTH = 138  # the widest name line inside every frame between y = 62 and y = 134, in viewBox units
# (font size, most lines): the largest that fits wins; 14 units still make 9 px when shown at 128 px.
SIZES = [(24, 2), (21, 3), (18, 3), (16, 4), (14, 4)]
ISSUER_WIDTH = 116
ISSUER_SIZE = 8
# Text is measured with Bitstream Vera Sans Bold, the face that rasterises it (and that DejaVu Sans, the usual
# sans-serif of Linux browsers, keeps the metrics of); narrower faces only leave more margin.
METRICS_FONT = "BadgeArtworkVeraBold"
FONT_FILE = Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf"
CITY_MARK = ('<g transform="translate(88 12)" aria-hidden="true">'
             '<polygon points="12,1 22.4,7 22.4,19 12,25 1.6,19 1.6,7" fill="none" stroke="#fff" stroke-width="2"/>'
             '<path d="M7.5 13l3.2 3.2 6-6.4" fill="none" stroke="#fff" stroke-width="2.4" '
             'stroke-linecap="round" stroke-linejoin="round"/></g>')


@dataclass(frozen=True)
class Artwork:
    """What a generated badge shows."""

    name: str
    issuer_name: str = ""
    level: str = ""  # "Niveau 2 · Pratique", or empty
    colour: str = PALETTE[0]
    frame: str = FRAMES[0]


@cache
def _register_font() -> None:
    pdfmetrics.registerFont(TTFont(METRICS_FONT, str(FONT_FILE)))


def _width(text: str, size: float) -> float:
    _register_font()
    return pdfmetrics.stringWidth(text, METRICS_FONT, size)


def _split_long_word(word: str, size: float) -> list[str]:
    parts, current = [], ""
    for char in word:
        if current and _width(current + char + "-", size) > TEXT_WIDTH:
            parts.append(current + "-")
            current = char
        else:
            current += char
    return [*parts, current]


def wrap(text: str, size: float, *, width: float = TEXT_WIDTH, split: bool = True) -> list[str] | None:
    """Greedy word wrap within ``width`` at ``size``; a word wider than a line is split with a hyphen, or
    (``split=False``) makes the wrap fail (None)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if _width(word, size) > width and not split:
            return None
        pieces = _split_long_word(word, size) if _width(word, size) > width else [word]
        for piece in pieces:
            candidate = f"{current} {piece}" if current else piece
            if _width(candidate, size) <= width:
                current = candidate
            else:
                if current:
                    lines.append(current)
                current = piece
    if current:
        lines.append(current)
    return lines


def fit_name(name: str) -> tuple[int, list[str]]:
    """The largest font size at which ``name`` fits, and its lines; the smallest size cut with an ellipsis."""
    for size, most in SIZES:
        lines = wrap(name, size, split=False)
        if lines is not None and len(lines) <= most:
            return size, lines
    size, most = SIZES[-1]
    lines = wrap(name, size)[:most]
    while lines[-1] and _width(lines[-1] + "…", size) > TEXT_WIDTH:
        lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
    lines[-1] = lines[-1].rstrip(" ,;:-") + "…"
    return size, lines


def _frame(kind: str, colour: str) -> str:
    inner = 'fill="none" stroke="#fff" stroke-width="3" opacity="0.75"'
    if kind == "circle":
        return (f'<circle cx="100" cy="100" r="96" fill="{colour}"/>'
                f'<circle cx="100" cy="100" r="86" {inner}/>')
    if kind == "shield":
        return (f'<path d="M100 4 L186 24 V96 C186 150 146 182 100 196 C54 182 14 150 14 96 V24 Z" fill="{colour}"/>'
                f'<path d="M100 14 L176 32 V96 C176 144 140 172 100 185 C60 172 24 144 24 96 V32 Z" {inner}/>')
    if kind == "octagon":
        return (f'<polygon points="60,4 140,4 196,60 196,140 140,196 60,196 4,140 4,60" fill="{colour}"/>'
                f'<polygon points="64,14 136,14 186,64 186,136 136,186 64,186 14,136 14,64" {inner}/>')
    return (f'<polygon points="100,3 187,51 187,149 100,197 13,149 13,51" fill="{colour}"/>'
            f'<polygon points="100,14 177,57 177,143 100,186 23,143 23,57" {inner}/>')


def issuer_lines(name: str) -> list[str]:
    """The issuer's name in at most two small lines under the City's mark, cut with an ellipsis beyond."""
    lines = wrap(name, ISSUER_SIZE, width=ISSUER_WIDTH)
    if len(lines) <= 2:
        return lines
    last = lines[1]
    while " " in last and _width(last + "…", ISSUER_SIZE) > ISSUER_WIDTH:
        last = last.rsplit(" ", 1)[0]
    return [lines[0], last.rstrip(" ,;:-(\u2019'") + "…"]


def artwork_svg(artwork: Artwork) -> str:
    """The badge as a standalone SVG document (200 by 200 viewBox, 512 px by default)."""
    size, lines = fit_name(artwork.name)
    line_height = size * 1.15
    has_level = bool(artwork.level)
    centre = 99 if has_level else 106
    first = centre - line_height * (len(lines) - 1) / 2 + size * 0.35
    text = "".join(f'<tspan x="100" y="{first + i * line_height:.1f}">{escape(line)}</tspan>'
                   for i, line in enumerate(lines))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {VIEWBOX} {VIEWBOX}" width="512" height="512" '
        f'role="img" aria-label="{escape(artwork.name, {chr(34): "&quot;"})}">',
        f'<title>{escape(artwork.name)}</title>',
        _frame(artwork.frame, artwork.colour),
        CITY_MARK,
        f'<text text-anchor="middle" font-family="sans-serif" font-weight="700" font-size="{size}" '
        f'fill="#fff">{text}</text>',
    ]
    if has_level:
        level_size = 11 if _width(artwork.level, 11) <= 112 else 9
        width = _width(artwork.level, level_size) + 14
        parts.append(f'<rect x="{100 - width / 2:.1f}" y="137" width="{width:.1f}" height="19" rx="9.5" '
                     f'fill="#fff"/><text x="100" y="{150.5 if level_size == 11 else 149.8}" text-anchor="middle" '
                     f'font-family="sans-serif" font-weight="700" font-size="{level_size}" '
                     f'fill="{artwork.colour}">{escape(artwork.level)}</text>')
    if artwork.issuer_name:
        issuer = "".join(f'<tspan x="100" y="{47 + i * 9}">{escape(line)}</tspan>'
                         for i, line in enumerate(issuer_lines(artwork.issuer_name)))
        parts.append(f'<text text-anchor="middle" font-family="sans-serif" font-size="{ISSUER_SIZE}" '
                     f'fill="#fff">{issuer}</text>')
    parts.append("</svg>")
    return "".join(parts)


def style_of(index: int, offset: int = 0) -> tuple[str, str]:
    """(colour, frame) of the ``index``-th item of a series: distinct for the first len(PALETTE) * len(FRAMES)."""
    return PALETTE[(index + offset) % len(PALETTE)], FRAMES[(index // len(PALETTE)) % len(FRAMES)]


def badge_svg(*, name: str, seed: str, issuer_name: str = "") -> str:
    """A generated badge for an image-less document (a badge earned elsewhere): its style follows ``seed``."""
    colour, frame = style_of(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big"))
    return artwork_svg(Artwork(name=name, issuer_name=issuer_name, colour=colour, frame=frame))
