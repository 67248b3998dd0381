"""Read a framework from a path or an upload: a folder or .zip of CSV files, our JSON, or a CASE package."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from .bundle import BundleInvalid, FrameworkBundle, ImportProblem
from .case import CaseOptions, read_case
from .csv_bundle import COLUMNS, read_bundle
from .json_bundle import FORMAT, read_json

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 50
CASE_MEMBERS = {"CFDocument", "CFItems", "CFAssociations", "CFDefinitions", "CFRubrics"}


def read_path(path: Path, *, case_options: CaseOptions | None = None) -> FrameworkBundle:
    if path.is_dir():
        return read_bundle({name: (path / name).read_bytes() for name in COLUMNS if (path / name).exists()})
    if path.stat().st_size > MAX_FILE_BYTES:
        raise BundleInvalid([ImportProblem(path.name, 0, "", f"larger than {MAX_FILE_BYTES} bytes")])
    return read_upload(path.name, path.read_bytes(), case_options=case_options)


def read_upload(name: str, raw: bytes, *, case_options: CaseOptions | None = None) -> FrameworkBundle:
    """``case_options`` say how to read a CASE package (item types of jobs and families, ...)."""
    if name.lower().endswith(".zip") or raw[:4] == b"PK\x03\x04":
        return read_bundle(_zip_members(name, raw))
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleInvalid([ImportProblem(name, 1, "", f"neither a .zip of CSV files nor JSON: {exc}")]) from exc
    if isinstance(document, dict) and CASE_MEMBERS & set(document):  # even one without its CFDocument: the reader
        # then says what is missing, by JSON path
        return read_case(document, options=case_options)
    if isinstance(document, dict) and document.get("format") == FORMAT:
        return read_json(raw)
    raise BundleInvalid([ImportProblem(name, 1, "", "JSON that is neither a CASE package nor a framework bundle")])


def _zip_members(name: str, raw: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise BundleInvalid([ImportProblem(name, 0, "", "not a valid .zip file")]) from exc
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_FILE_BYTES:
        raise BundleInvalid([ImportProblem(name, 0, "", "the archive is too large once unpacked")])
    return {Path(i.filename).name: archive.read(i) for i in infos
            if not i.is_dir() and Path(i.filename).name in COLUMNS}
