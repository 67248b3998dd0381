"""Baking a badge into its image, and unbaking it (OB 3.0 §5.3 "Baked badges"; OB 2.0 "Baking Specification").

* PNG: one ``iTXt`` chunk (PNG 1.2 §11.3.4.5), uncompressed, before ``IEND``. Keyword
  ``openbadgecredential`` holds an OB 3.0 credential (JSON, or a compact JWS); keyword ``openbadges``
  holds an OB 2.0 assertion (JSON, a compact JWS or the hosted assertion's URL). Either keyword appears
  at most once: baking replaces an earlier chunk, unbaking refuses an image with two.
* SVG: the first child of the root ``<svg>`` is ``<openbadges:credential>`` in namespace
  ``https://purl.imsglobal.org/ob/v3p0`` (3.0; the credential in CDATA, or a JWS in ``verify``), or
  ``<openbadges:assertion>`` in ``http://openbadges.org`` (2.0; ``verify`` holds the JWS or the hosted
  URL, CDATA the assertion). SVG is parsed with defusedxml: no DTD, no entities, no external references.

Sizes are capped before parsing; nothing here fetches anything.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as xml_fromstring

from .errors import OpenBadgesError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD_OB3 = "openbadgecredential"
KEYWORD_OB2 = "openbadges"
SVG_NS = "http://www.w3.org/2000/svg"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_NS = "http://openbadges.org"
MAX_IMAGE_BYTES = 4 * 1024 * 1024
MAX_TEXT_BYTES = 1024 * 1024  # a baked credential larger than this is refused
MAX_CHUNKS = 10_000


class BakingError(OpenBadgesError):
    code = "bad_baked_image"


@dataclass(frozen=True)
class Baked:
    """What an image carries: ``version`` "3.0" or "2.0", and the text (JSON, compact JWS or URL)."""

    version: str
    text: str


# --- PNG -------------------------------------------------------------------------------------


def _chunks(png: bytes):
    """(type, data, start, end) of every chunk, CRC checked (PNG 1.2 §5.3)."""
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("Not a PNG image.", code="not_png")
    pos, count = len(PNG_SIGNATURE), 0
    while pos < len(png):
        if pos + 12 > len(png):
            raise BakingError("Truncated PNG chunk.", code="bad_png")
        length, ctype = struct.unpack(">I4s", png[pos:pos + 8])
        end = pos + 12 + length
        if end > len(png):
            raise BakingError("Truncated PNG chunk.", code="bad_png")
        data = png[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", png[end - 4:end])
        if zlib.crc32(ctype + data) != crc:
            raise BakingError(f"Bad CRC in PNG chunk {ctype!r}.", code="bad_png")
        yield ctype, data, pos, end
        count += 1
        if count > MAX_CHUNKS:
            raise BakingError("Too many PNG chunks.", code="bad_png")
        if ctype == b"IEND":
            return
        pos = end
    raise BakingError("The PNG has no IEND chunk.", code="bad_png")


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def _itxt_parse(data: bytes) -> tuple[str, str]:
    """PNG 1.2 §11.3.4.5: keyword NUL flag method language NUL translated-keyword NUL text."""
    try:
        keyword, rest = data.split(b"\0", 1)
        flag, method, rest = rest[0], rest[1], rest[2:]
        _language, rest = rest.split(b"\0", 1)
        _translated, text = rest.split(b"\0", 1)
    except (ValueError, IndexError) as exc:
        raise BakingError("Malformed iTXt chunk.", code="bad_png") from exc
    if flag == 1:
        if method != 0:
            raise BakingError("Unknown iTXt compression method.", code="bad_png")
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_TEXT_BYTES + 1)
        except zlib.error as exc:
            raise BakingError("Corrupt compressed iTXt text.", code="bad_png") from exc
    if len(text) > MAX_TEXT_BYTES:
        raise BakingError(f"The baked text is larger than {MAX_TEXT_BYTES} bytes.", code="too_large")
    try:
        return keyword.decode("latin-1"), text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("The iTXt text is not UTF-8.", code="bad_png") from exc


def png_bake(png: bytes, *, keyword: str, text: str) -> bytes:
    """A copy of ``png`` carrying ``text`` in one uncompressed iTXt chunk named ``keyword``."""
    if keyword not in (KEYWORD_OB3, KEYWORD_OB2):
        raise BakingError(f"Unknown baking keyword {keyword!r}.")
    payload = text.encode("utf-8")
    if len(payload) > MAX_TEXT_BYTES:
        raise BakingError(f"The text to bake is larger than {MAX_TEXT_BYTES} bytes.", code="too_large")
    out = [PNG_SIGNATURE]
    for ctype, data, start, end in _chunks(png):
        if ctype == b"iTXt" and data.split(b"\0", 1)[0] == keyword.encode("latin-1"):
            continue  # an earlier baked copy: replaced
        if ctype == b"IEND":
            out.append(_chunk(b"iTXt", keyword.encode("latin-1") + b"\0\0\0\0\0" + payload))
        out.append(png[start:end])
    return b"".join(out)


def png_unbake(png: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> Baked | None:
    """The OB 3.0 credential (preferred) or OB 2.0 assertion baked into ``png``; None if there is none."""
    if len(png) > max_bytes:
        raise BakingError(f"The image is larger than {max_bytes} bytes.", code="too_large")
    found: dict[str, list[str]] = {KEYWORD_OB3: [], KEYWORD_OB2: []}
    for ctype, data, _start, _end in _chunks(png):
        if ctype == b"iTXt" and data.split(b"\0", 1)[0].decode("latin-1") in found:
            keyword, text = _itxt_parse(data)
            found[keyword].append(text)
    for keyword, version in ((KEYWORD_OB3, "3.0"), (KEYWORD_OB2, "2.0")):
        if len(found[keyword]) > 1:
            raise BakingError(f"The PNG carries more than one '{keyword}' chunk.", code="ambiguous_baked_image")
        if found[keyword]:
            return Baked(version, found[keyword][0].strip())
    return None


# --- SVG -------------------------------------------------------------------------------------

_PROLOG = re.compile(r"\A\ufeff?\s*(<\?xml[^>]*\?>\s*)?((<!--.*?-->)\s*)*", re.DOTALL)
_ATTR = r"""\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*')"""
_ROOT = re.compile(rf"<svg(?:{_ATTR})*\s*>")


def svg_parse(svg: bytes | str, *, max_bytes: int = MAX_IMAGE_BYTES) -> Element:
    """The root element of ``svg``, parsed without DTDs, entities or external references."""
    size = len(svg.encode("utf-8") if isinstance(svg, str) else svg)
    if size > max_bytes:
        raise BakingError(f"The image is larger than {max_bytes} bytes.", code="too_large")
    try:
        root = xml_fromstring(svg, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BakingError(f"Refused SVG: {type(exc).__name__} (no DTD, entities or external references).",
                          code="unsafe_svg") from exc
    except (SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
        raise BakingError(f"Not well-formed XML: {exc}", code="not_svg") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BakingError("The root element is not an SVG <svg>.", code="not_svg")
    return root


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def svg_bake(svg: str, *, version: str, text: str | None = None, verify: str | None = None) -> str:
    """A copy of ``svg`` whose first child carries the credential (3.0) or assertion (2.0)."""
    namespace, element = {"3.0": (OB3_NS, "credential"), "2.0": (OB2_NS, "assertion")}[version]
    root = svg_parse(svg)
    if root.find(f".//{{{OB3_NS}}}credential") is not None or root.find(f".//{{{OB2_NS}}}assertion") is not None:
        raise BakingError("The SVG already carries a badge.", code="already_baked")
    prolog = _PROLOG.match(svg)
    start = _ROOT.match(svg, prolog.end() if prolog else 0)
    if start is None:
        raise BakingError("The <svg> start tag must follow the XML declaration and comments.", code="not_svg")
    tag = start.group(0)
    declared = re.search(r"""\sxmlns:openbadges\s*=\s*(["'])(.*?)\1""", tag)
    if declared and declared.group(2) != namespace:
        raise BakingError("The SVG binds the 'openbadges' prefix to another namespace.", code="not_svg")
    if not declared:
        tag = tag[:-1].rstrip() + f' xmlns:openbadges="{namespace}">'
    verify_attr = f' verify="{_attr(verify)}"' if verify else ""
    body = _cdata(text) if text else ""
    carried = f"<openbadges:{element}{verify_attr}>{body}</openbadges:{element}>"
    return svg[:start.start()] + tag + carried + svg[start.end():]


def svg_unbake(svg: bytes | str, *, max_bytes: int = MAX_IMAGE_BYTES) -> Baked | None:
    root = svg_parse(svg, max_bytes=max_bytes)
    for namespace, element, version in ((OB3_NS, "credential", "3.0"), (OB2_NS, "assertion", "2.0")):
        found = root.findall(f".//{{{namespace}}}{element}")
        if len(found) > 1:
            raise BakingError(f"The SVG carries more than one openbadges:{element}.", code="ambiguous_baked_image")
        if found:
            node = found[0]
            text = (node.text or "").strip()
            verify = (node.get("verify") or "").strip()
            # 2.0 hosted: verify is the URL and the CDATA the assertion; signed: verify is the JWS.
            value = text or verify
            if not value:
                raise BakingError(f"openbadges:{element} is empty.", code="bad_baked_image")
            if len(value.encode("utf-8")) > MAX_TEXT_BYTES:
                raise BakingError(f"The baked text is larger than {MAX_TEXT_BYTES} bytes.", code="too_large")
            return Baked(version, value)
    return None


def unbake(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> Baked | None:
    """PNG or SVG, by content: what it carries, or None."""
    if data.startswith(PNG_SIGNATURE):
        return png_unbake(data, max_bytes=max_bytes)
    if is_svg(data):
        return svg_unbake(data, max_bytes=max_bytes)
    raise BakingError("Not a PNG or SVG image.", code="not_an_image")


def is_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in head
