"""Run 1EdTech's Open Badges 2.0 validator (``interop/ob2_validator/run.py``, in its own virtual environment
made by ``make interop``) from the tests. Standard library only."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

DIR = Path(__file__).resolve().parents[2] / "interop" / "ob2_validator"
PYTHON = DIR / ".venv" / "bin" / "python"
TIMEOUT_S = 120


def validator_available() -> bool:
    return (DIR / ".venv" / ".installed").is_file()


def validate(payload: dict) -> dict:
    """``{"report": <the validator's report>, "refused": [URLs it asked for that were not served]}``."""
    proc = subprocess.run([str(PYTHON), str(DIR / "run.py")], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=TIMEOUT_S, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the OB 2.0 validator failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return json.loads(proc.stdout)
