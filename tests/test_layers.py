"""Imports flow one way through the folders of site_builder/ (README, Architecture)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "site_builder"
# Each folder imports only from the folders before it (and from itself).  render/ and output/ come before
# views/: a view renders and writes through them, and neither imports anything of derive/, policy/ or views/.
ORDER = ("content", "derive", "policy", "render", "output", "views", "build", "commands")
SHARED = {"errors"}  # top-level leaves every folder may import


def _module(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported(path: Path) -> set[str]:
    """The site_builder modules `path` imports, at any depth (lazy and type-only imports included)."""
    package = _module(path) if path.name == "__init__.py" else _module(path)[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = base + (node.module.split(".") if node.module else [])
            found.add(".".join(target))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "site_builder"}


def _folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_folder_imports_only_earlier_folders() -> None:
    back_edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _folder(".".join(_module(path)))
        if own in SHARED or own == "":
            assert not _imported(path), f"{path.relative_to(ROOT)} is a shared leaf: it imports nothing of ours"
            continue
        assert own in ORDER, f"{path.relative_to(ROOT)}: a folder the layering does not know"
        for target in _imported(path):
            folder = _folder(target)
            if folder not in SHARED and folder != "" and ORDER.index(folder) > ORDER.index(own):
                back_edges.append(f"{path.relative_to(ROOT)} imports {target}")
    assert not back_edges, "a stage imports a later one:\n" + "\n".join(back_edges)


def test_no_module_is_left_at_the_top() -> None:
    top = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")
    assert top == sorted(SHARED)
