"""The text a reportlab PDF draws, for assertions: the strings of ``Tj`` operators in its content streams
(reportlab encodes streams as ASCII85 then Flate; the standard fonts use WinAnsi, i.e. cp1252)."""

from __future__ import annotations

import base64
import re
import zlib


def _streams(pdf: bytes):
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = raw.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2].replace(b"\n", b""))
        try:
            yield zlib.decompress(data)
        except zlib.error:
            continue


def pdf_text(pdf: bytes) -> str:
    chunks = []
    for content in _streams(pdf):
        for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content, re.DOTALL):
            text = re.sub(rb"\\(\d{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
            text = re.sub(rb"\\(.)", rb"\1", text)
            chunks.append(text.decode("cp1252"))
    return " ".join(chunks)
