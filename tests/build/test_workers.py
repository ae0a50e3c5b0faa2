from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from site_builder.build import workers
from site_builder.build.server_worker import ServerWorker
from site_builder.build.units import ServerInputs
from site_builder.build.workers import WORKERS_FROM_FILES, WorkerPool, _balanced
from site_builder.content.config import load_config
from site_builder.errors import BuildSiteError, CatalogueError, Problem
from site_builder.policy.recommend import load_policy_defaults
from site_builder.render.theme import Shell

from tests.helpers import DEFAULT_CATALOGUE, ROOT, server_yaml

SHELL = Shell(("<html>", "</html>"), ("content",))


@pytest.fixture
def always_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "WORKERS_FROM_FILES", 1)


def pool(jobs: int, folder: Path, tmp_path: Path) -> WorkerPool:
    config = load_config(ROOT / "mkdocs.yml")
    config = replace(config, options=config.options.model_copy(update={"cache": str(tmp_path / "cache")}))
    defaults = load_policy_defaults(None)
    return WorkerPool(jobs, lambda: ServerWorker(config, folder, defaults))


def test_balanced_puts_each_heaviest_name_in_the_lightest_bin() -> None:
    loads = [0, 5]
    shares = _balanced({"a": 10, "b": 4, "c": 3, "d": 1}, 2, loads)
    assert shares == [["a", "d"], ["b", "c"]]
    assert loads == [11, 12]


def test_user_errors_cross_processes_intact() -> None:
    error = CatalogueError([Problem("a.yaml", 3, "tools[0].name", "missing", "add a name")])
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is CatalogueError and again.problems == error.problems and str(again) == str(error)


def test_forked_workers_load_what_the_parent_would(tmp_path: Path) -> None:
    names = sorted(p.name for p in DEFAULT_CATALOGUE.glob("*.yaml"))
    sizes = {name: (DEFAULT_CATALOGUE / name).stat().st_size for name in names}
    with pool(1, DEFAULT_CATALOGUE, tmp_path) as local, pool(2, DEFAULT_CATALOGUE, tmp_path) as forked:
        expected = local.load(sizes)
        assert forked.load(sizes) == expected
        assert set(forked.owner.values()) == {0, 1}  # both workers got a share
    assert all(result.summary is not None for result in expected.values())


def test_a_file_with_problems_comes_back_as_problems_not_a_crash(tmp_path: Path, always_fork: None) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    for number in range(4):
        (folder / f"s{number}.yaml").write_text(server_yaml().replace("acme/demo", f"acme/demo{number}"))
    (folder / "bad.yaml").write_text("server: {id: x}\ntools: 3\n")
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    with pool(2, folder, tmp_path) as forked:
        results = forked.load(sizes)
    assert results["bad.yaml"].summary is None and results["bad.yaml"].problems
    assert all(results[f"s{n}.yaml"].summary is not None for n in range(4))


def test_a_failure_inside_a_worker_is_raised_in_the_parent(tmp_path: Path, always_fork: None) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "s.yaml").write_text(server_yaml())
    with pool(2, folder, tmp_path) as forked:
        results = forked.load({"s.yaml": 1})
        summary = results["s.yaml"].summary
        assert summary is not None
        not_a_folder = tmp_path / "file"
        not_a_folder.write_text("")
        with pytest.raises(BuildSiteError, match="a worker process failed"):  # the worker cannot write there
            list(forked.render(SHELL, not_a_folder, {"s.yaml": (summary.slug, "k", 1)},
                               {summary.slug: ServerInputs("s.yaml", "", ((),), ((),))}))


def test_a_server_no_worker_loaded_is_loaded_before_rendering_and_its_problems_reported(tmp_path: Path, always_fork: None) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "s.yaml").write_text("server: {id: x}\ntools: 3\n")
    with pool(2, folder, tmp_path) as forked, pytest.raises(BuildSiteError, match="no longer loads"):
        list(forked.render(SHELL, tmp_path / "out", {"s.yaml": ("x", "k", 1)}, {"x": ServerInputs("s.yaml", "", (), ())}))


def test_a_small_load_stays_in_the_parent_and_a_large_render_forks(tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    count = WORKERS_FROM_FILES + 2
    for number in range(count):
        (folder / f"s{number:02d}.yaml").write_text(server_yaml().replace("acme/demo", f"acme/demo{number}"))
    (tmp_path / "out").mkdir()
    with pool(2, folder, tmp_path) as mixed:
        summary = mixed.load({"s00.yaml": 1})["s00.yaml"].summary
        assert summary is not None and not mixed.processes  # one file: loaded in the parent
        slugs = {f"s{n:02d}.yaml": f"acme-demo{n}" for n in range(count)}
        rendered = list(mixed.render(SHELL, tmp_path / "out", {name: (slug, "k" * 40, 1) for name, slug in slugs.items()},
                                     {slug: ServerInputs(name, "", ((),), ((),)) for name, slug in slugs.items()}))
        assert len(mixed.processes) == 2  # many servers to render: in worker processes, which load them
    assert sorted(r.slug for r in rendered) == sorted(slugs.values())
    assert all((tmp_path / "out" / "servers" / slug / "index.html").is_file() for slug in slugs.values())


def test_a_few_files_fork_when_their_work_is_large_and_one_file_never_does(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    for number in range(2):
        (folder / f"s{number}.yaml").write_text(server_yaml().replace("acme/demo", f"acme/demo{number}"))
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    monkeypatch.setattr(workers, "WORKERS_FROM_WORK", -(-sum(sizes.values()) // 1000) + 1)
    with pool(2, folder, tmp_path) as small:
        small.load(sizes)
        assert not small.processes  # two small files: the parent loads them
    monkeypatch.setattr(workers, "WORKERS_FROM_WORK", 1)
    with pool(2, folder, tmp_path) as one:
        one.load({"s0.yaml": sizes["s0.yaml"]})
        assert not one.processes  # one file cannot be shared
    with pool(2, folder, tmp_path) as large:
        results = large.load(sizes)
        assert len(large.processes) == 2 and set(large.owner.values()) == {0, 1}
    assert all(result.summary is not None for result in results.values())
