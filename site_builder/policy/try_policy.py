"""`build-site try-policy`: what an Intercept policy decides for tool calls (site_builder.policy.simulate).

One call from `--tool NAME --args JSON`, or many from `--batch FILE` (JSON lines; `-` for stdin).
Exit 0 when allowed (and always in a batch), 1 when denied, 2 for a user error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _json_object(text: str) -> dict[str, Any]:
    """A JSON object as Go's encoding/json reads it (no NaN or Infinity, numbers within float64)."""

    def number(literal: str) -> float | int:
        value = float(literal) if any(c in literal for c in ".eE") else int(literal)
        if abs(value) > sys.float_info.max:
            raise ValueError(f"number {literal[:24]}{'...' * (len(literal) > 24)} is out of float64 range")
        return value

    def constant(literal: str) -> None:
        raise ValueError(f"{literal} is not JSON")

    try:
        data = json.loads(text, parse_int=number, parse_float=number, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError(f"must be a JSON object, got {type(data).__name__}")
    return data


def _batch_calls(name: str) -> list[tuple[str, dict[str, Any]]]:
    file = "<stdin>" if name == "-" else name
    hint = 'each line is {"tool": "NAME", "arguments": {...}}'
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _TryError(f"{file}: cannot read: {getattr(exc, 'strerror', None) or exc}; hint: {hint}") from None
    calls = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        field = ""
        try:
            call = _json_object(line)
            unknown = sorted(set(call) - {"tool", "arguments"})
            if unknown:
                field = unknown[0]
                raise ValueError("unknown key (a call has only tool and arguments)")
            field = "tool"
            if not isinstance(call.get("tool"), str):
                raise ValueError("must be a string")
            field = "arguments"
            arguments = call.get("arguments", {})
            if not isinstance(arguments, dict):
                raise ValueError(f"must be a JSON object, got {type(arguments).__name__}")
        except ValueError as exc:
            raise _TryError(f"{file}:{number}{' ' + field if field else ''}: {exc}; hint: {hint}") from None
        calls.append((call["tool"], arguments))
    return calls


class _TryError(Exception):
    """A one-line user error of try-policy (exit 2)."""


def try_policy(path: Path, tool: str | None, args_json: str | None, batch: str | None) -> int:
    from ..errors import display_path
    from ..content.yamlio import load_yaml
    from .simulate import evaluate
    from .validate_files import _intercept_problems

    file = display_path(path)
    try:
        if batch is not None and args_json is not None:
            raise _TryError("--args: goes with --tool; hint: in a batch each line carries its own arguments")
        try:
            calls = _batch_calls(batch) if batch is not None else [(tool or "", _json_object(args_json or "{}"))]
        except ValueError as exc:
            raise _TryError(f"--args: {exc}; hint: give one JSON object, quoted for the shell, "
                            """e.g. --args '{"path": "/tmp/a.txt"}'""") from None
    except _TryError as exc:
        print(f"build-site try-policy: {exc}", file=sys.stderr)
        return 2
    problems = _intercept_problems(path, file)
    doc, _ = load_yaml(path, file) if not problems else (None, [])
    if problems or doc is None:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        print(f"{file}: {len(problems)} error(s); not a policy Intercept would load", file=sys.stderr)
        return 2
    denied = False
    for tool, arguments in calls:
        decision = evaluate(doc.data, tool, arguments)
        denied |= decision.decision == "deny"
        if batch is not None:
            print(json.dumps({"tool": tool, "arguments": arguments, "decision": decision.decision,
                              "rule": decision.rule, "message": decision.message,
                              "counted": list(decision.counted)}, ensure_ascii=False))
        elif decision.decision == "allow":
            print("allow" + (f" (counted: {', '.join(decision.counted)})" if decision.counted else ""))
        else:
            where = decision.rule if decision.rule in ("hide", "default: deny") else f"rule {json.dumps(decision.rule)}"
            print(f"deny  {where}: {decision.message}")
    return 1 if denied and batch is None else 0
