"""Sanitising SVG badge images uploaded by issuers.

An SVG is a document that can run script, fetch resources and expand entities. What is kept is an
allow-list of drawing elements and presentation attributes (SVG 1.1 / SVG 2 painting, shapes, text,
gradients, clipping); everything else is dropped:

* no ``<script>``, ``<foreignObject>``, ``<style>``, animation or link elements, nor any element in
  another namespace (editor metadata, an earlier baked badge);
* no event handler attributes (``on*``);
* no external references: ``href`` only to a fragment (``#id``) or an embedded PNG/JPEG ``data:`` URI,
  ``url(...)`` only to a fragment;
* no DTD, hence no entities (the parser refuses them: defusedxml, ``forbid_dtd``).

The output is re-serialised from the parsed tree, so nothing the parser did not understand survives.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, SubElement
from xml.sax.saxutils import escape, quoteattr

from .baking import SVG_NS, BakingError, svg_parse

XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_SVG_BYTES = 512 * 1024
MAX_ELEMENTS = 5_000
MAX_DEPTH = 48

ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "symbol", "use", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "image", "filter", "feGaussianBlur", "feOffset", "feBlend",
    "feColorMatrix", "feComposite", "feFlood", "feMerge", "feMergeNode", "feDropShadow", "marker",
})
ATTRIBUTES = frozenset({
    "id", "class", "viewBox", "preserveAspectRatio", "width", "height", "x", "y", "x1", "y1", "x2", "y2",
    "cx", "cy", "r", "rx", "ry", "fx", "fy", "d", "points", "transform", "fill", "fill-opacity", "fill-rule",
    "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-dashoffset", "stroke-miterlimit", "opacity", "color", "clip-path", "clip-rule", "mask", "filter",
    "font-family", "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline",
    "letter-spacing", "text-decoration", "dx", "dy", "rotate", "offset", "stop-color", "stop-opacity",
    "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits",
    "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits", "filterUnits", "primitiveUnits",
    "stdDeviation", "in", "in2", "result", "mode", "values", "type", "operator", "k1", "k2", "k3", "k4",
    "flood-color", "flood-opacity", "markerWidth", "markerHeight", "refX", "refY", "orient", "markerUnits",
    "marker-start", "marker-mid", "marker-end", "visibility", "display", "role", "aria-label", "aria-hidden",
    "focusable", "version", "style", "href", "startOffset", "lengthAdjust", "textLength", "vector-effect",
    "paint-order", "shape-rendering", "text-rendering", "image-rendering", "color-interpolation-filters",
})
_URL = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*\Z")
_STYLE_FORBIDDEN = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE)


class UnsafeImageError(BakingError):
    code = "unsafe_image"


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or bool(_DATA_IMAGE.match(value))


def _safe_value(value: str) -> bool:
    """Attribute and style values: url() only to a fragment; no script-ish CSS."""
    if _STYLE_FORBIDDEN.search(value):
        return False
    return all(m.group(2).strip().startswith("#") for m in _URL.finditer(value))


def _copy(source: Element, parent: Element | None, depth: int, counter: list[int]) -> Element | None:
    ns, name = _local(source.tag)
    if ns != SVG_NS or name not in ELEMENTS:
        return None
    if depth > MAX_DEPTH:
        raise UnsafeImageError(f"The SVG nests deeper than {MAX_DEPTH} levels.")
    counter[0] += 1
    if counter[0] > MAX_ELEMENTS:
        raise UnsafeImageError(f"The SVG has more than {MAX_ELEMENTS} elements.")
    attributes = {}
    for key, value in source.attrib.items():
        attr_ns, attr_name = _local(key)
        if attr_name.lower().startswith("on"):
            continue  # event handlers, in any namespace
        if (attr_ns == XLINK_NS and attr_name == "href") or (attr_ns == "" and attr_name == "href"):
            if _safe_reference(value):
                attributes[f"{{{XLINK_NS}}}href" if attr_ns else "href"] = value
            continue
        if attr_ns == XML_NS and attr_name in ("space", "lang"):
            attributes[key] = value
        elif attr_ns == "" and attr_name in ATTRIBUTES and _safe_value(value):
            attributes[attr_name] = value
    if name in ("use", "image") and not any(k.endswith("href") for k in attributes):
        return None  # a use/image whose reference was external: nothing left to draw
    element = Element(source.tag, attributes) if parent is None else SubElement(parent, source.tag, attributes)
    element.text = source.text if name in ("text", "tspan", "textPath", "title", "desc") else None
    for child in source:
        copied = _copy(child, element, depth + 1, counter)
        if copied is not None:
            copied.tail = child.tail if name in ("text", "tspan", "textPath") else None
    return element


def sanitize_svg(data: bytes, *, max_bytes: int = MAX_SVG_BYTES) -> bytes:
    """A safe copy of the SVG ``data`` (UTF-8), or ``BakingError``/``UnsafeImageError`` if it cannot be one."""
    root = svg_parse(data, max_bytes=max_bytes)
    clean = _copy(root, None, 0, [0])
    if clean is None:  # pragma: no cover - svg_parse guarantees an <svg> root
        raise UnsafeImageError("Not an SVG image.")
    if not (clean.get("viewBox") or (clean.get("width") and clean.get("height"))):
        raise UnsafeImageError("The SVG has neither a viewBox nor a width and height.")
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            + _serialise(clean)[4:]).encode("utf-8")


def _serialise(element: Element) -> str:
    """Every element is in the SVG namespace and every attribute is plain, xlink: or xml:, by construction."""
    name = _local(element.tag)[1]
    attributes = "".join(
        f" {_PREFIXES.get(_local(k)[0], '')}{_local(k)[1]}={quoteattr(v)}" for k, v in element.attrib.items())
    inner = escape(element.text or "") + "".join(_serialise(child) + escape(child.tail or "") for child in element)
    return f"<{name}{attributes}>{inner}</{name}>" if inner else f"<{name}{attributes}/>"


_PREFIXES = {XLINK_NS: "xlink:", XML_NS: "xml:", "": ""}
