"""The benchmark programs still run against the current package (figures are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_output_size_prints_where_a_built_sites_bytes_go(tmp_path: Path) -> None:
    from site_builder.build.build import BuildRequest, run_build
    from tests.output.test_lock import small_project

    site = tmp_path / "site"
    result = run_build(BuildRequest(config_file=small_project(tmp_path / "project"), out=site, jobs=1, verbosity=0))
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "output_size.py"), str(site), "--target-mb", "1"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    kinds = {line["kind"]: line for line in lines if "kind" in line}
    parts = {line["tool page part"]: line["bytes_per_page"] for line in lines if "tool page part" in line}
    [total] = [line for line in lines if "site_mb" in line]
    tools = sum(1 for _ in site.glob("tools/*/*/index.html"))
    assert kinds["tool pages"]["files"] == total["tools"] == tools > 0
    assert sum(line["files"] for line in kinds.values()) == result.files  # every file the build wrote
    assert kinds["catalogue.json"]["files"] == kinds["llms-full.txt"]["files"] == 1
    assert {"section #policy", "section #faq"} <= set(parts) and all(size > 0 for size in parts.values())
    assert abs(sum(parts.values()) - total["tool_page_bytes_now"]) <= len(parts)  # each rounded
    pages = sum(path.stat().st_size for path in site.glob("tools/*/*/index.html"))
    others = sum(path.stat().st_size for path in site.rglob("*") if path.is_file()) - pages
    assert total["tool_page_bytes_now"] == round(pages / tools)
    assert total["tool_page_bytes_to_fit"] == round((1e6 - others) / tools)


def test_the_benchmark_times_its_calibration_work(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    run.calibrate("now")
    figures = json.loads(capsys.readouterr().out)
    assert figures["calibration"] == "now" and 0 < figures["best_seconds"] <= figures["median_seconds"]


def test_optional_arguments_prints_its_agreement_with_the_labelled_set() -> None:
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "optional_arguments.py"), "--list"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    figures = json.loads(run.stdout.splitlines()[0])
    assert figures["arguments"] == 46 and 0 < figures["agree"] <= 46
    assert len(run.stdout.splitlines()) == 1 + 46 - figures["agree"]  # one line per disagreement
