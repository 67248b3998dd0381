"""What people carry away from a credential: baked images and the QR code of its page, and the HTTP response
that serves any such file (public pages and the learner space alike).

Baked images are made on first request and kept in the default file storage under
``baked/<credential uuid>/``: what they carry (the signed credential, the OB 2.0 assertion as issued)
never changes, so neither do they, and issuance never waits for them. Status is not baked in: it is read
live by whoever verifies what the image carries.
"""

from __future__ import annotations

import base64
import io
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import qrcode
import reportlab
import resvg_py
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from qrcode.image.pil import PilImage

from badges_service.openbadges import baking
from issuers import badge_images, ob2

if TYPE_CHECKING:
    from issuers.models import Credential

BAKED_SIZE = 512  # pixels, for SVG badges rasterised to PNG
KINDS = {"ob3.png", "ob3.svg", "ob2.png"}
# An SVG opened as a document must not run anything, whatever it contains.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
# Bitstream Vera ships inside reportlab: text renders the same on every machine, without system fonts.
FONT_DIR = Path(reportlab.__file__).parent / "fonts"


def rasterise(svg: bytes, *, size: int = BAKED_SIZE) -> bytes:
    """PNG of an SVG badge (already sanitised, or generated). resvg loads no external resource."""
    return bytes(resvg_py.svg_to_bytes(
        svg_string=svg.decode("utf-8"), width=size, height=size, skip_system_fonts=True,
        font_files=[str(FONT_DIR / "Vera.ttf"), str(FONT_DIR / "VeraBd.ttf")],
        font_family="Bitstream Vera Sans", sans_serif_family="Bitstream Vera Sans"))


def _svg_wrapping(png: bytes) -> str:
    """An SVG showing a PNG badge, so that a PNG badge can also be baked as SVG."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    data = base64.b64encode(png).decode("ascii")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            f'<image width="{width}" height="{height}" xlink:href="data:image/png;base64,{data}"/></svg>')


def badge_png(credential: Credential) -> bytes:
    image = badge_images.achievement_image(credential.achievement, level=credential.achieved_level)
    return image.content if image.kind == "png" else rasterise(image.content)


def badge_svg(credential: Credential) -> str:
    image = badge_images.achievement_image(credential.achievement, level=credential.achieved_level)
    return image.content.decode("utf-8") if image.kind == "svg" else _svg_wrapping(image.content)


def _bake(credential: Credential, kind: str) -> bytes:
    if kind == "ob3.png":
        return baking.png_bake(badge_png(credential), keyword=baking.KEYWORD_OB3, text=credential.document)
    if kind == "ob3.svg":
        return baking.svg_bake(badge_svg(credential), version="3.0", text=credential.document).encode("utf-8")
    # OB 2.0: the hosted assertion as issued (JSON), which OB 2.0 backpacks import and verify at its id.
    assertion = json.loads(ob2.hosted_assertion(credential).document)
    return baking.png_bake(badge_png(credential), keyword=baking.KEYWORD_OB2,
                           text=json.dumps(assertion, ensure_ascii=False, separators=(",", ":")))


def baked_image(credential: Credential, kind: str) -> bytes:
    """The baked image ``kind`` of ``credential``, made and stored on first request."""
    if kind not in KINDS:
        raise ValueError(kind)
    path = f"baked/{credential.public_id}/{kind}"
    if default_storage.exists(path):
        with default_storage.open(path, "rb") as handle:
            return handle.read()
    content = _bake(credential, kind)
    default_storage.save(path, ContentFile(content))  # a concurrent first request may store a second copy
    return content


@cache
def qr_png(url: str) -> bytes:
    """QR code of a public ``url``, as PNG, kept per process (see ``qr_png_uncached``)."""
    return qr_png_uncached(url)


def qr_png_uncached(url: str) -> bytes:
    """QR code (error correction M, quiet zone of 4 modules, ISO/IEC 18004) of ``url``, as PNG. Not kept: for
    one-time secrets such as a wallet offer."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4,
                         image_factory=PilImage)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


def file_response(content: bytes | str, content_type: str, filename: str, *, cache_control: str,
                  disposition: str = "inline") -> HttpResponse:
    """A file to show (``inline``) or save (``attachment``) as ``filename``; an SVG is sandboxed."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = cache_control
    if content_type.startswith("image/svg"):
        response["Content-Security-Policy"] = SVG_CSP
    return response
