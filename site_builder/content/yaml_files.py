"""Which files of a folder are YAML files to load: `.yaml` and `.yml` in any case, links only inside it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from ..errors import CATALOGUE_DOC, CatalogueError, Problem, display_path

YAML_SUFFIXES = (".yaml", ".yml")  # in any case: x.yaml, x.yml, X.YAML, x.Yml


def iter_yaml_files(folder: Path) -> Iterator[Path]:
    """The YAML files of a folder (`*.yaml`, `*.yml`, any case), in a stable order.

    Names starting with a dot (editor and import scratch files) are skipped.  A
    link is followed only when it resolves to a regular file inside the folder;
    any other link, or a YAML name that is not a regular file, is an error
    naming it (CatalogueError, all at once): nothing is left out silently."""
    yield from (folder / name for name in yaml_file_names(folder))


def yaml_file_names(folder: Path) -> list[str]:
    """The names of the files iter_yaml_files yields (no path made for each: 10k paths took 0.04 s)."""
    names, problems = _names(folder)
    if problems:
        raise CatalogueError(problems)
    return names


def yaml_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The files iter_yaml_files yields, and a problem for each entry it refuses."""
    names, problems = _names(folder)
    return [folder / name for name in names], problems


def _names(folder: Path) -> tuple[list[str], list[Problem]]:
    with os.scandir(folder) if folder.is_dir() else contextlib.nullcontext(iter(())) as scanned:
        entries = sorted((entry for entry in scanned
                          if entry.name.lower().endswith(YAML_SUFFIXES) and not entry.name.startswith(".")),
                         key=lambda entry: entry.name)
    inside, names, problems = folder.resolve(), [], []
    for entry in entries:  # the folder's listing tells links and files apart: no call to the disk for each
        name = entry.name
        refused = _link_refusal(folder / name, inside) if entry.is_symlink() else (
            None if entry.is_file() else "is not a regular file")
        if refused is None:
            names.append(name)
        else:
            problems.append(Problem(os.path.join(display_path(folder), name), 0, "", refused, "a catalogue file is a YAML file, or a link "
                                    f"to one in the same folder (see {CATALOGUE_DOC})"))
    return names, problems


def _link_refusal(link: Path, inside: Path) -> str | None:
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop
        return f"is a link to {os.readlink(link)!r}, which does not resolve to a file"
    if inside not in target.parents:
        return f"is a link to {target}, outside the catalogue folder"
    return None if target.is_file() else f"is a link to {target}, which is not a regular file"
