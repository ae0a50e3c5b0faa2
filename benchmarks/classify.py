"""Prints the classifier's figures on the labelled set (tests/fixtures/labelled/).

    .venv/bin/python benchmarks/classify.py [--misses]

Category agreement, the unsafe-as-read count (tools labelled as changing
state, sending data out, spending or revealing secrets that the classifier
would put in a read-only bundle or leave without a rule), and a confusion table.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from site_builder.content.models import CATEGORY_ORDER  # noqa: E402
from tests.derive.labelled import SETS, Report, evaluate, labeller_agreement  # noqa: E402


def main() -> None:
    reports = {}
    for which in SETS:
        print(f"== {which} set")
        reports[which] = show(which)
        print()
    cases = [case for report in reports.values() for case in report.cases]
    agreeing = sum(case.agrees for case in cases)
    print(f"== the whole labelled set ({', '.join(SETS)})")
    print(f"category agreement:        {agreeing / len(cases):.1%} ({agreeing} of {len(cases)})")
    print(f"unsafe treated as read:    {sum(case.unsafe_as_read for case in cases)}")
    print(f"non-read classified read:  {sum(len(report.non_read_classified_read) for report in reports.values())}")


def show(which: str) -> Report:
    report = evaluate(which)
    cases = report.cases
    print(f"labelled tools:            {len(cases)}")
    print(f"category agreement:        {report.agreement:.1%} ({sum(c.agrees for c in cases)} of {len(cases)})")
    print(f"unsafe treated as read:    {len(report.unsafe_as_read)}")
    print(f"non-read classified read:  {len(report.non_read_classified_read)}")
    print(f"safe reads let into strict: {report.safe_reads_found:.1%}")
    print(f"two labellers agree on:     {labeller_agreement(which):.1%} (first and second labelling, before adjudication)")
    names = [c.value for c in CATEGORY_ORDER]
    print("\nlabel \\ classifier  " + " ".join(f"{n[:5]:>6}" for n in names))
    for label in names:
        print(f"{label:<19} " + " ".join(f"{report.confusion[(label, got)]:>6}" for got in names))
    if "--misses" in sys.argv:
        print()
        for case in cases:
            if not case.agrees or case.unsafe_as_read:
                flag = "UNSAFE " if case.unsafe_as_read else ""
                evidence = "; ".join(f"{e.source}: {e.detail}" for e in case.assessment.evidence)
                print(f"{flag}{case.definition['name']}: label {case.label['category']} {case.label['effects']}, "
                      f"got {case.assessment.category.value} {[e.value for e in case.assessment.effects]} "
                      f"[{case.assessment.confidence.value}] ({evidence})")
    return report


if __name__ == "__main__":
    main()
