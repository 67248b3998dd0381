"""Badge images uploaded by issuers: PNG or SVG only, within limits, and nothing active survives."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from badges_service.openbadges.image_upload import image_clean
from badges_service.openbadges.svg_sanitize import UnsafeImageError

SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'


def png(size=(16, 16), **info) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (18, 53, 140, 255)).save(out, format="PNG", **info)
    return out.getvalue()


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def bomb_png(width: int, height: int) -> bytes:
    """A tiny file that claims ``width`` x ``height`` 1-bit pixels: all zeros compress to almost nothing."""
    raw = zlib.compress(b"\0" * ((width + 7) // 8 + 1) * min(height, 64))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def clean_svg(body: str) -> str:
    return image_clean((SVG_HEAD + body + "</svg>").encode()).content.decode()


def test_a_png_is_re_encoded_so_that_text_chunks_and_trailing_data_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("openbadgecredential", '{"forged": true}')
    cleaned = image_clean(png(pnginfo=info) + b"trailing bytes")
    assert cleaned.extension == "png" and cleaned.content_type == "image/png"
    assert b"openbadgecredential" not in cleaned.content and b"trailing" not in cleaned.content
    assert Image.open(io.BytesIO(cleaned.content)).size == (16, 16)


def test_an_oversized_file_is_refused_before_it_is_read():
    with pytest.raises(UnsafeImageError) as error:
        image_clean(png() + b"\0" * 2_000_000)
    assert error.value.code == "too_large"


def test_a_png_wider_than_the_limit_is_refused_from_its_header():
    with pytest.raises(UnsafeImageError) as error:
        image_clean(bomb_png(5000, 10))
    assert error.value.code == "too_many_pixels"


def test_pillows_decompression_bomb_guard_is_an_error():
    """With the side limit lifted, Pillow's own guard (MAX_IMAGE_PIXELS) still stops a 400-megapixel claim."""
    with pytest.raises(UnsafeImageError) as error:
        image_clean(bomb_png(20_000, 20_000), max_side=100_000)
    assert error.value.code == "decompression_bomb"


@pytest.mark.parametrize("data", [b"GIF89a\x01\x00\x01\x00", b"%PDF-1.7\n", b"\xff\xd8\xff\xe0JFIF", b"hello",
                                  b"", b"<html><script>alert(1)</script></html>", b"\x89PNG\r\n\x1a\ntruncated"])
def test_anything_but_png_or_svg_is_refused(data):
    with pytest.raises(UnsafeImageError) as error:
        image_clean(data)
    assert error.value.code in {"unsupported_image", "bad_png", "not_svg"}


def test_svg_script_elements_are_removed():
    out = clean_svg('<script>alert(1)</script><script xlink:href="https://evil.example/x.js"/><rect width="1"/>')
    assert "script" not in out and "evil" not in out and "<rect" in out


def test_svg_event_handlers_are_removed():
    out = clean_svg('<rect width="1" onload="alert(1)" onclick="x()" ONMOUSEOVER="y()"/>'
                    '<g onfocusin="z()"><circle r="1"/></g>')
    assert "alert" not in out and "on" not in out.replace("version", "")


@pytest.mark.parametrize("body", [
    '<image href="https://evil.example/tracker.png" width="1" height="1"/>',
    '<image xlink:href="http://evil.example/x.png" width="1" height="1"/>',
    '<use href="https://evil.example/sprite.svg#icon"/>',
    '<use xlink:href="file:///etc/passwd#x"/>',
    '<image href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0Pjwvc2NyaXB0Pjwvc3ZnPg==" width="1" height="1"/>',
    '<a href="javascript:alert(1)"><rect width="1"/></a>',
    '<rect width="1" fill="url(https://evil.example/p.svg#g)"/>',
    '<rect width="1" style="fill: url(http://evil.example/x)"/>',
    '<style>@import url(https://evil.example/x.css);</style>',
    '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>',
    '<animate attributeName="href" to="javascript:alert(1)"/><set attributeName="onload" to="alert(1)"/>',
])
def test_svg_external_references_are_removed(body):
    out = clean_svg(body)
    assert "evil" not in out and "javascript" not in out and "passwd" not in out and "svg+xml" not in out


def test_svg_fragment_references_and_embedded_png_are_kept():
    out = clean_svg('<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>'
                    '<rect id="r" width="1" fill="url(#g)"/><use xlink:href="#r"/>'
                    '<image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/>'
                    '<text x="1">Accueil « été »</text>')
    assert 'fill="url(#g)"' in out and 'xlink:href="#r"' in out and "data:image/png" in out
    assert "Accueil « été »" in out


@pytest.mark.parametrize("hostile", [
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&lol2;</text></svg>',
    '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>&xxe;</text></svg>',
    '<!DOCTYPE svg [<!ENTITY % remote SYSTEM "https://evil.example/x.dtd"> %remote;]>'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
])
def test_svg_with_entities_or_a_dtd_is_refused(hostile):
    with pytest.raises(UnsafeImageError) as error:
        image_clean(hostile.encode())
    assert error.value.code == "unsafe_svg"


def test_svg_size_nesting_and_element_count_are_capped():
    with pytest.raises(UnsafeImageError):
        image_clean((SVG_HEAD + "<g>" * 60 + "</g>" * 60 + "</svg>").encode())
    with pytest.raises(UnsafeImageError):
        image_clean((SVG_HEAD + '<rect width="1"/>' * 6000 + "</svg>").encode())
    with pytest.raises(UnsafeImageError) as error:
        image_clean((SVG_HEAD + "<desc>" + "x" * 600_000 + "</desc></svg>").encode())
    assert error.value.code == "too_large"


def test_an_svg_in_another_namespace_or_without_dimensions_is_refused():
    with pytest.raises(UnsafeImageError):
        image_clean(b'<svg xmlns="http://example.org/not-svg"/>')
    with pytest.raises(UnsafeImageError, match="viewBox"):
        image_clean(b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
