from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from site_builder.commands.cli import main

from tests.helpers import ROOT, server_yaml


def test_check_json_on_the_default_catalogue(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["servers"] >= 50 and report["tools"] >= 1000
    assert sum(report["by_category"].values()) == sum(report["by_risk"].values()) == report["tools"]
    assert all({"file", "line", "tool", "code", "message"} <= set(f) for f in report["findings"])


def test_check_strict_fails_on_findings(write, capsys: pytest.CaptureFixture[str]) -> None:
    write("mkdocs.yml", "site_name: t\n")
    write("cat/s.yaml", server_yaml("  - name: get_thing\n    classification: {category: execute, rationale: r}\n"))
    assert main(["check", "--catalogue", "cat"]) == 0
    assert main(["check", "--catalogue", "cat", "--strict"]) == 1
    assert "[read-looking-name]" in capsys.readouterr().out


def test_check_reports_errors_and_exits_non_zero(write, capsys: pytest.CaptureFixture[str]) -> None:
    write("mkdocs.yml", "site_name: t\n")
    write("cat/s.yaml", server_yaml().replace("read", "reed"))
    assert main(["check", "--catalogue", "cat"]) == 1
    assert "cat/s.yaml:6 tools[0].classification.category: 'reed' is not one of" in capsys.readouterr().err


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--jobs", jobs, "--quiet"])
    assert stopped.value.code == 2 and "--jobs: invalid positive int value" in capsys.readouterr().err


def test_the_command_ends_a_build_at_once_with_its_output_flushed_and_its_exit_code(tmp_path: Path) -> None:
    """The console command skips freeing the build's objects (os._exit): what it printed still reaches a pipe,
    and a failed build still exits 1 with its one-line error."""
    from tests.output.test_lock import build_command, small_project

    config = small_project(tmp_path / "project")
    command = [arg for arg in build_command(config, tmp_path / "site") if arg != "-q"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.startswith(f"built {tmp_path / 'site'}: "), done
    done = subprocess.run(command + ["--catalogue", str(tmp_path / "nowhere")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1 and done.stdout == "" and "nowhere" in done.stderr, done
    assert "Traceback" not in done.stderr
    closed = subprocess.run(command + ["--clean"], stdout=None, stderr=subprocess.PIPE, text=True, timeout=300,
                            preexec_fn=lambda: os.close(1))  # started with stdout closed: sys.stdout is None
    assert closed.returncode == 0 and closed.stderr == "", closed
