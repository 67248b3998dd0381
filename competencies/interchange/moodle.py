"""Export for Moodle: the competency-framework CSV read by ``tool_lpimportcsv`` (Site administration >
Competencies > Import competency framework).

The header row and column order are the importer's (framework_importer::list_required_headers):
one framework row (``Is framework`` = 1) carrying the scale, then one row per competency with its
parent's ID number. ``Scale configuration`` is Moodle's JSON: the scale id (remapped by the importer)
then, per scale value by 1-based position, whether it is the default and whether it is proficient.
Descriptions are plain text (Moodle FORMAT_PLAIN = 2). Cells are escaped against formula injection
like every export of this service.
"""

from __future__ import annotations

import csv
import io
import json

from .bundle import FrameworkBundle
from .csv_bundle import escape_cell

HEADER = ["Parent ID number", "ID number", "Short name", "Description", "Description format", "Scale values",
          "Scale configuration", "Rule type (optional)", "Rule outcome (optional)", "Rule config (optional)",
          "Cross-referenced competency ID numbers", "Exported ID (optional)", "Is framework", "Taxonomy"]
FORMAT_PLAIN = 2
MOODLE_TEXT_MAX = 100  # idnumber and shortname are shortened to 100 characters by the importer


def scale_configuration(bundle: FrameworkBundle) -> str:
    levels = sorted(bundle.levels, key=lambda r: r.rank)
    config: list[dict] = [{"scaleid": "0"}]
    for position, level in enumerate(levels, start=1):
        config.append({"id": position, "scaledefault": 1 if position == 1 else 0,
                       "proficient": 1 if level.proficient else 0})
    return json.dumps(config, separators=(",", ":"))


def _depth(code: str, parent_of: dict[str, str]) -> int:
    depth = 1
    while parent_of.get(code):
        code, depth = parent_of[code], depth + 1
    return depth


def write_moodle_csv(bundle: FrameworkBundle) -> str:
    info = bundle.info
    parent_of = {r.code: r.parent for r in bundle.competencies}
    depth = max((_depth(c, parent_of) for c in parent_of), default=1)
    taxonomies = (["domain"] if depth > 1 else []) + ["competency"] * (depth - 1 if depth > 1 else 1)
    # Moodle stores a scale as comma-separated labels, so a comma inside a label cannot survive.
    scale_values = ",".join(r.label.replace(",", " ") for r in sorted(bundle.levels, key=lambda r: r.rank))
    rows = [["", f"{info.code}-{info.version}"[:MOODLE_TEXT_MAX], info.title[:MOODLE_TEXT_MAX], info.description,
             str(FORMAT_PLAIN), scale_values, scale_configuration(bundle), "", "", "", "", "", "1",
             ",".join(taxonomies)]]
    for r in _parents_first(bundle):
        rows.append([r.parent, r.code[:MOODLE_TEXT_MAX], r.label[:MOODLE_TEXT_MAX], r.description, str(FORMAT_PLAIN),
                     "", "", "", "", "null", "", "", "0", ""])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return out.getvalue()


def _parents_first(bundle: FrameworkBundle) -> list:
    """Competencies ordered so each parent comes before its children, then by code."""
    parent_of = {r.code: r.parent for r in bundle.competencies}
    return sorted(bundle.competencies, key=lambda r: (_depth(r.code, parent_of), r.code))
