"""Prints how often the policy's choice for an optional argument agrees with the labelled set.

    .venv/bin/python benchmarks/optional_arguments.py [--list]

Intercept fails a condition on a missing argument, so a condition on an
argument the tool makes optional either makes it required (`require`) or is
replaced by "not given" (`absent`).  `tests/fixtures/optional-arguments/`
holds 46 such arguments of the default catalogue, labelled by two labellers
working independently of the code, and the adjudicated label of each
(`adjudicated.yaml`).  Prints the agreement of the recommended profile's
choice with it, and with `--list` every disagreement.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.policy.arguments import argument_rules  # noqa: E402

FOLDER = ROOT / "tests" / "fixtures" / "optional-arguments"


def policy_choice(item: dict[str, object]) -> str:
    """`require` or `absent`: what the recommended profile's rules do with the item's argument."""
    schema = item["input_schema"]
    assert isinstance(schema, dict)
    rules = [rule for rule in argument_rules(schema, "recommended", str(item["description"]), str(item["tool"]))
             if rule.parameter == item["parameter"]]
    return "absent" if rules and all(rule.condition.op == "exists" for rule in rules) else "require"


def main() -> None:
    definitions = json.loads((FOLDER / "definitions.json").read_text(encoding="utf-8"))
    labels = {(entry["server"], entry["tool"], entry["parameter"]): entry["label"]
              for entry in yaml.safe_load((FOLDER / "adjudicated.yaml").read_text(encoding="utf-8"))}
    agree, wrong = 0, []
    for item in definitions:
        key = (item["server"], item["tool"], item["parameter"])
        choice = policy_choice(item)
        if choice == labels[key]:
            agree += 1
        else:
            wrong.append(f"{'/'.join(key)}: policy {choice}, label {labels[key]}")
    print(json.dumps({"arguments": len(definitions), "agree": agree,
                      "agreement": round(agree / len(definitions), 3)}))
    if "--list" in sys.argv:
        print("\n".join(wrong))


if __name__ == "__main__":
    main()
