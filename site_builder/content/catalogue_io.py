"""Writing catalogue files: readable YAML that round-trips any text.

Used by the importers.  Multi-line text is written as block scalars; any
string PyYAML cannot write plainly (non-printable characters, `yes`, `1.0`,
leading `*`) is quoted by PyYAML's emitter, and unicode stays readable.

A file is written in two steps so that an import of several servers is all or
nothing: :func:`stage_server_file` writes a temporary file beside the target
and loads it back with the catalogue's own loader (size, nesting, duplicate
names, validation), and :func:`commit` moves it into place.  A file the loader
would refuse is never written.  Files get the usual mode of a new file
(0644 under the common umask 022), plus any permission the file they replace
already gave (a group-writable 0664 stays so).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from ..errors import Problem, UserError, display_path
from .models import ServerFile
from .yaml_limits import DEFAULT_LIMITS
from .yamlio import load_yaml

SERVER_KEYS = ("id", "name", "slug", "description", "homepage", "repository", "tags", "install", "added")
TOOL_KEYS = ("name", "title", "description", "input_schema", "annotations", "classification", "policy", "added")
CLASSIFICATION_KEYS = ("category", "risk", "score", "rationale", "evidence", "confidence", "signals", "effects")


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # never write anchors: files are for people
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    multiline = "\n" in value.strip("\n") and len(value) < 20_000
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if multiline else None)


_Dumper.add_representer(str, _str)


def ordered(mapping: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The mapping with known keys first in the documented order, None values dropped."""
    out = {key: mapping[key] for key in keys if mapping.get(key) is not None}
    out.update({key: value for key, value in mapping.items() if key not in out and value is not None})
    return out


def dump_server_file(document: dict[str, Any]) -> str:
    return yaml.dump(_plain(document), Dumper=_Dumper, allow_unicode=True,
                     sort_keys=False, width=100, default_flow_style=False)


def read_raw(path: Path) -> dict[str, Any] | None:
    """An existing catalogue file as plain data (for merging), or None if absent.

    The file must load as the builder loads it: merging into a broken file
    would only carry its errors into the new one."""
    if not path.exists():
        return None
    doc, problems = load_yaml(path, display_path(path))
    if doc is None or problems or not isinstance(doc.data, dict):
        raise UserError(problems or [Problem(display_path(path), 1, "", "not a server file",
                                             "fix or remove it, then import again")])
    try:
        ServerFile.model_validate(doc.data)
    except ValidationError:
        from .catalogue import load_server_file  # its messages carry lines and hints

        _, problems = load_server_file(path)
        raise UserError(problems or [Problem(display_path(path), 1, "", "not a valid server file")]) from None
    return doc.data


@dataclass(frozen=True)
class StagedFile:
    """A checked file waiting beside its target; `temporary` is None when nothing changes."""

    target: Path
    temporary: Path | None

    @property
    def changed(self) -> bool:
        return self.temporary is not None


def _same_data(text: str, document: dict[str, Any]) -> bool:
    """Whether the YAML text loads back to the document (NaN compares equal to NaN here)."""
    def canonical(data: Any) -> str:
        return json.dumps(data, sort_keys=True, default=str)
    return canonical(yaml.safe_load(text)) == canonical(_plain(document))


def _new_file(target: Path) -> tuple[Path, int]:
    """A new temporary file beside `target` (not named *.yaml, so no loader ever picks it up)."""
    while True:
        temporary = target.with_name(f".{target.name}.import-{secrets.token_hex(4)}.tmp")
        try:  # mode 0666 minus the umask, as for any new file (0644 under umask 022)
            return temporary, os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def stage_server_file(target: Path, document: dict[str, Any], source: str) -> tuple[StagedFile | None, list[Problem]]:
    """Write the document to a temporary file beside `target` and load it back as the builder would."""
    from .catalogue import load_server_file

    text = dump_server_file(document)
    if not _same_data(text, document):
        raise AssertionError(f"catalogue writer would change data in {target}")  # a bug of ours, not the user's
    file = display_path(target)
    size = len(text.encode("utf-8"))
    if size > DEFAULT_LIMITS.max_bytes:
        return None, [Problem(file, 0, "", f"the server file would be {size:,} bytes, over the catalogue's limit "
                                           f"of {DEFAULT_LIMITS.max_bytes:,} (importing {source})",
                              "import fewer tools, or shorten their descriptions and schemas")]
    if target.is_file() and target.read_text(encoding="utf-8", errors="replace") == text:
        return StagedFile(target, None), []
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary, handle = _new_file(target)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if target.is_file():  # keep what the user allowed beyond that (e.g. 0664), never less (old imports: 0600)
            mode = stat.S_IMODE(temporary.stat().st_mode) | stat.S_IMODE(target.stat().st_mode)
            os.chmod(temporary, mode)
        loaded, problems = load_server_file(temporary)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if loaded is None:
        temporary.unlink(missing_ok=True)
        return None, [Problem(file, p.line, p.field, f"the imported file would not load: {p.message}", p.hint)
                      for p in problems]
    return StagedFile(target, temporary), []


def discard(staged: Iterable[StagedFile]) -> None:
    for item in staged:
        if item.temporary is not None:
            item.temporary.unlink(missing_ok=True)


def commit(staged: StagedFile) -> bool:
    """Move a staged file into place (atomically); True when the file changed."""
    if staged.temporary is None:
        return False
    os.replace(staged.temporary, staged.target)
    return True


def write_server_file(path: Path, document: dict[str, Any]) -> bool:
    """Write one file atomically; return False when the file already holds exactly this."""
    staged, problems = stage_server_file(path, document, display_path(path))
    if staged is None:
        raise UserError(problems)
    return commit(staged)


def _plain(document: dict[str, Any]) -> dict[str, Any]:
    """The document with keys in the documented order and empty values dropped."""
    server = ordered(document["server"], SERVER_KEYS)
    tools = []
    for tool in document.get("tools", []):
        tool = ordered(tool, TOOL_KEYS)
        tool["classification"] = ordered(tool["classification"], CLASSIFICATION_KEYS)
        tools.append(tool)
    return {"server": server, "tools": tools}


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()
