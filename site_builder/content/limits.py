"""Bounds a run can raise through the environment (`BUILD_SITE_*` variables): one reading of their values."""

from __future__ import annotations

import os
import re

from ..errors import Problem, UserError

_SIZE = re.compile(r"([0-9][0-9_]*)\s*(k|ki|m|mi|g|gi)?b?", re.IGNORECASE)
_UNITS = {"": 1, "k": 1000, "ki": 1024, "m": 1000**2, "mi": 1024**2, "g": 1000**3, "gi": 1024**3}


def env_size(variable: str, default: int) -> int:
    """A positive whole number from the environment (`64MiB`, `2_000_000`, `500k`), else `default`.

    A value that is not one is a user error naming the variable (never a traceback)."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    match = _SIZE.fullmatch(text)
    value = int(match.group(1).replace("_", "")) * _UNITS[(match.group(2) or "").lower()] if match else 0
    if value <= 0:
        raise UserError([Problem(variable, 0, "", f"{text!r} is not a positive whole number",
                                 f"set it to a number such as {default} (suffixes k, M, G, KiB, MiB, GiB), or unset it")])
    return value
