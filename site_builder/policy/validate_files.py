"""`build-site validate-policy FILE...`: check the policy files a user edited.

`.json` files are checked against the gateway model; anything else is read as
Intercept YAML (safely, with line numbers) and checked by our validator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from pydantic import ValidationError

from ..errors import POLICY_DOC, Problem, display_path
from ..yamlio import load_yaml
from .gateway import GatewayPolicy
from .intercept_validate import validate_intercept


def _json_problems(path: Path, file: str) -> list[Problem]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return [Problem(file, getattr(exc, "lineno", 0), "", f"not valid JSON: {exc}")]
    try:
        GatewayPolicy.model_validate(data)
    except ValidationError as exc:
        return [Problem(file, 0, ".".join(map(str, e["loc"])), e["msg"], f"see {POLICY_DOC}, section 2")
                for e in exc.errors()]
    return []


def _intercept_problems(path: Path, file: str) -> list[Problem]:
    doc, problems = load_yaml(path, file)
    if doc is None or problems:
        return problems
    return [Problem(file, doc.line_of(field), _dotted(field), message, f"see {POLICY_DOC}, section 1")
            for field, message in validate_intercept(doc.data)]


def _dotted(path: tuple[str | int, ...]) -> str:
    """`('tools', 'a b', 'rules', 0)` -> `tools["a b"].rules[0]` (tool names quoted)."""
    text = ""
    for index, part in enumerate(path):
        if isinstance(part, int):
            text += f"[{part}]"
        elif index == 1 and path[0] == "tools":
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
        else:
            text += f".{part}" if text else part
    return text


def policy_problems(path: Path) -> list[Problem]:
    file = display_path(path)
    return _json_problems(path, file) if path.suffix == ".json" else _intercept_problems(path, file)


def validate_files(paths: Sequence[Path]) -> int:
    """Print every problem of every file; 0 when all are valid."""
    failed = 0
    for path in paths:
        problems = policy_problems(path)
        for problem in problems:
            print(problem.format())
        print(f"{display_path(path)}: {'ok' if not problems else f'{len(problems)} error(s)'}")
        failed += bool(problems)
    return 1 if failed else 0
