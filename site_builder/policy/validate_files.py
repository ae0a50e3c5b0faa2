"""`build-site validate-policy FILE...`: check the policy files a user edited.

`.json` files are checked against the gateway model; anything else is read as
Intercept YAML (safely, with line numbers) and checked by our validator.  Errors
(what the product refuses) make the exit code 1; warnings (where we are stricter
than Intercept, e.g. unknown keys) are printed with a "warning:" prefix only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from pydantic import ValidationError

from ..content.intercept_validate import check_intercept
from ..content.yamlio import load_yaml
from ..errors import POLICY_DOC, Problem, display_path
from .gateway import GatewayPolicy


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
    """The errors of one Intercept file (warnings left out)."""
    return _intercept_report(path, file)[0]


def _intercept_report(path: Path, file: str) -> tuple[list[Problem], list[Problem]]:
    doc, problems = load_yaml(path, file)
    if doc is None or problems:
        return problems, []
    found: dict[str, list[Problem]] = {"error": [], "warning": []}
    for issue in check_intercept(doc.data):
        found[issue.severity].append(Problem(file, doc.line_of(issue.path), _dotted(issue.path), issue.message,
                                             f"see {POLICY_DOC}, section 1"))
    return found["error"], found["warning"]


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


def policy_report(path: Path) -> tuple[list[Problem], list[Problem]]:
    """The errors and the warnings of one policy file."""
    file = display_path(path)
    return (_json_problems(path, file), []) if path.suffix == ".json" else _intercept_report(path, file)


def policy_problems(path: Path) -> list[Problem]:
    """The errors of one policy file (warnings left out)."""
    return policy_report(path)[0]


def validate_files(paths: Sequence[Path]) -> int:
    """Print every error and warning of every file, in file order; 0 when no file has an error."""
    failed = 0
    for path in paths:
        errors, warnings = policy_report(path)
        found = [(problem, "") for problem in errors] + [(problem, "warning: ") for problem in warnings]
        for problem, prefix in sorted(found, key=lambda item: item[0].line):
            print(prefix + problem.format())
        summary = f"{len(errors)} error(s)" if errors else "ok"
        if warnings:
            summary += f", {len(warnings)} warning(s)" if errors else f" ({len(warnings)} warning(s))"
        print(f"{display_path(path)}: {summary}")
        failed += bool(errors)
    return 1 if failed else 0
