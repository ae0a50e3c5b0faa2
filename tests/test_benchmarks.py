"""The benchmark programs still run against the current package (figures are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import DEFAULT_CATALOGUE, ROOT


def test_search_size_prints_its_figures_for_a_real_catalogue() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "search_size.py"), str(DEFAULT_CATALOGUE)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert lines[0]["tools"] > 500 and lines[0]["files"] > 10
    assert {line["query"] for line in lines[1:]} >= {"get", "delete"}
    assert all(0 < line["first_query_kb"] < 500 for line in lines[1:])


def test_stages_prints_each_stages_time_per_tool() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "stages.py"), "--tools", "30", "--runs", "1"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    figures = json.loads(run.stdout)
    assert figures["tools"] == 30
    assert set(figures["ms_per_tool"]) == {"load", "derive", "render", "render: page", "render: policies",
                                           "render: writes"}
    assert all(value > 0 for value in figures["ms_per_tool"].values())
