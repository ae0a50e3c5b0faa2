"""The base of the catalogue's models (models.py, overrides.py): frozen, no unknown field, no text that
cannot be published."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False, str_strip_whitespace=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        """NUL and unpaired surrogates cannot be written safely to HTML, YAML, JSON or file names."""
        texts = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
            if isinstance(value, tuple) else []
        for text in texts:
            found = UNSTORABLE.search(text)
            if found:
                raise ValueError(f"contains the character U+{ord(found.group(0)):04X}, which cannot be published; remove it")
        return value
