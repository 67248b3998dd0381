"""A default badge image (SVG) for issuers and achievements that have not uploaded one."""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

_PALETTE = ["#1d4e89", "#00798c", "#2e7d32", "#8e3b46", "#6a4c93", "#b5651d", "#0b6e4f", "#7b2d26"]


def initials(name: str) -> str:
    words = [w for w in name.replace("'", " ").replace("\u2019", " ").split() if len(w) > 2 or w.isupper()]
    return "".join(w[0] for w in words[:3]).upper() or name[:1].upper()


def badge_svg(*, name: str, seed: str) -> str:
    colour = _PALETTE[hashlib.sha256(seed.encode()).digest()[0] % len(_PALETTE)]
    label = escape(initials(name))
    title = escape(name)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img" '
        f'aria-label="{title}"><title>{title}</title>'
        f'<polygon points="100,6 181,53 181,147 100,194 19,147 19,53" fill="{colour}"/>'
        '<polygon points="100,22 167,61 167,139 100,178 33,139 33,61" fill="none" stroke="#fff" '
        'stroke-width="4" opacity="0.8"/>'
        f'<text x="100" y="116" text-anchor="middle" font-family="sans-serif" font-size="46" '
        f'font-weight="700" fill="#fff">{label}</text></svg>'
    )
