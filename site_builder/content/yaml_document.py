"""A parsed YAML document: its data, and the line where each field path starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus the line (1-based) where each field path starts."""

    data: Any
    lines: Mapping[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def format_path(path: FieldPath) -> str:
    """`('tools', 6, 'classification')` -> `tools[6].classification`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
