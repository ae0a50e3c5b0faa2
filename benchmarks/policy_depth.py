"""Prints how deep the recommended policies go on a catalogue (default: content/catalogue).

    .venv/bin/python benchmarks/policy_depth.py [CATALOGUE_DIR] [--list]

Of the tools that take a file path, a URL, code or a command, SQL or an amount
(found by the risk signals, independently of the policy code) and are not
denied outright, the share whose recommended Intercept policy constrains at
least one argument.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.content.catalogue import load_catalogue  # noqa: E402
from site_builder.derive import derive  # noqa: E402
from site_builder.derive.parameters import schema_properties  # noqa: E402
from site_builder.policy.generate import PolicyGenerator  # noqa: E402
from site_builder.policy.recommend import load_policy_defaults  # noqa: E402

RISKY_SIGNALS = ("Accepts URL/endpoint input", "Reads or writes local file paths", "Free-form code, query or command")
AMOUNT_WORDS = ("amount", "price", "cost", "total")


def takes_risky_argument(entry: object) -> bool:
    signals = getattr(entry, "derived_signals")
    names = [name.lower() for name in schema_properties(getattr(entry, "tool").input_schema)]
    return any(s.startswith(RISKY_SIGNALS) for s in signals) or any(w in n for n in names for w in AMOUNT_WORDS)


def main() -> None:
    folder = Path(next((a for a in sys.argv[1:] if not a.startswith("--")), ROOT / "content" / "catalogue"))
    site = derive(load_catalogue(folder))
    generator = PolicyGenerator(load_policy_defaults())
    considered, constrained, missing = 0, 0, []
    for entry in site.tools:
        if not takes_risky_argument(entry):
            continue
        rec = generator.recommendation(entry)
        if rec.action in ("deny", "hide", "omit"):
            continue
        considered += 1
        if rec.all_conditions:
            constrained += 1
        else:
            missing.append(f"{entry.server.slug}/{entry.name}")
    print(f"tools with a path/URL/code/SQL/amount argument, not denied: {considered}")
    print(f"with at least one argument condition: {constrained} ({constrained / max(1, considered):.1%})")
    if "--list" in sys.argv:
        print("\n".join(missing))


if __name__ == "__main__":
    main()
