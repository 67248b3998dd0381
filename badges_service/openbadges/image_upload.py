"""Badge images uploaded by issuers: PNG or SVG only, checked before anything else reads them.

OB 3.0 §B.1 Image and OB 2.0 BadgeClass ``image`` allow PNG and SVG, the formats that can be baked.

* Size is capped before parsing; the format is decided from the bytes, never from a file name.
* PNG: dimensions are read from the header and capped before any pixel is decoded, and Pillow's
  decompression-bomb guard is an error (not a warning) while decoding. The image is re-encoded, so
  nothing but pixels survives (no text chunks, no baked credential from elsewhere, no trailing data).
* SVG: sanitised (``svg_sanitize``).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image

from .baking import PNG_SIGNATURE, BakingError, is_svg
from .svg_sanitize import MAX_SVG_BYTES, UnsafeImageError, sanitize_svg

MAX_IMAGE_BYTES = 1024 * 1024
MAX_SIDE = 2048
MAX_PIXELS = MAX_SIDE * MAX_SIDE


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str  # "png" or "svg"
    content_type: str


def image_clean(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES, max_side: int = MAX_SIDE) -> CleanImage:
    """A safe copy of an uploaded badge image, or ``UnsafeImageError`` saying why not."""
    if len(data) > max_bytes:
        raise UnsafeImageError(f"The image is {len(data)} bytes; the limit is {max_bytes}.", code="too_large")
    if data.startswith(PNG_SIGNATURE):
        return CleanImage(_png_clean(data, max_side=max_side), "png", "image/png")
    if is_svg(data):
        try:
            return CleanImage(sanitize_svg(data, max_bytes=min(max_bytes, MAX_SVG_BYTES)), "svg", "image/svg+xml")
        except UnsafeImageError:
            raise
        except BakingError as exc:
            raise UnsafeImageError(str(exc), code=exc.code) from exc
    raise UnsafeImageError("Only PNG and SVG images are accepted.", code="unsupported_image")


def _png_clean(data: bytes, *, max_side: int) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
                width, height = image.size  # from IHDR, before decoding
                if width > max_side or height > max_side:
                    raise UnsafeImageError(f"The image is {width}x{height} pixels; the limit is "
                                           f"{max_side}x{max_side}.", code="too_many_pixels")
                image.load()
                mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info else "RGB"
                out = io.BytesIO()
                image.convert(mode).save(out, format="PNG", optimize=True)
    except UnsafeImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnsafeImageError("The PNG would decompress to too many pixels.", code="decompression_bomb") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's errors for truncated or corrupt files
        raise UnsafeImageError(f"Not a readable PNG image: {exc}", code="bad_png") from exc
    return out.getvalue()
