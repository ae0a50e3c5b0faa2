"""What a build keeps of the builds before it.

The previous site kept beside the output is updated in place, unless it is
far behind the live one: then unchanged files are hard-linked from the live
site, by several processes while the build goes on.  Updated in place, it
takes from the live site what the build after it made (live_groups).
"""

from __future__ import annotations

import os
import stat
from functools import partial
from pathlib import Path

from ..output.files import PLAIN_PATH
from ..output.swap import StagedOutput, is_build_output, marker_identity
from ..errors import BuildSiteError, OutputError
from ..output.writer import OutputWriter
from .background import Background
from .manifest import OutputGroup, load_live_changes, load_output_manifest
from .plan import OutputPlan, Wanted


REUSE_MARGIN = 500  # servers (or a quarter of them): rendering fewer costs less than linking every live file


def kept_manifest(staged: StagedOutput, cache_dir: Path, out: Path) -> dict[str, OutputGroup] | None:
    """The file groups of the previous build kept beside the output, which the staging folder is (if any)."""
    return load_output_manifest(cache_dir, out, staged.reused) if staged.reused else None


def reusable(staged: StagedOutput, cache_dir: Path, out: Path, wanted: Wanted, kept: dict[str, OutputGroup] | None
             ) -> tuple[dict[str, OutputGroup] | None, Path | None]:
    """The file groups of a previous build to keep, and the folder to link them from (None: in place).
    `kept`: kept_manifest() of `staged`.

    The kept previous site is updated in place, unless it is far behind the
    live one (after a template change, say): then, as in the first rebuild
    after a fresh build, unchanged files are hard-linked from the live site.
    With --clean there is neither."""
    live_site = is_build_output(out) and staged.reuse
    if staged.reused:
        previous = kept
        margin = _margin(wanted)
        if previous is not None and (wanted.stale_servers(previous) <= margin or not live_site):
            return previous, None
        live = load_output_manifest(cache_dir, out, marker_identity(out)) if live_site else None
        if previous is not None and (live is None or wanted.stale_servers(previous)
                                     <= wanted.stale_servers(live) + margin):
            return previous, None
        staged.restart()  # a kept site the cache does not describe, or far behind the live one
        return live, (out if live is not None else None)
    if not live_site:
        return None, None
    previous = load_output_manifest(cache_dir, out, marker_identity(out))
    return previous, (out if previous is not None else None)


def live_groups(cache_dir: Path, out: Path, kept: dict[str, OutputGroup] | None,
                previous: dict[str, OutputGroup] | None, clone_from: Path | None) -> dict[str, OutputGroup] | None:
    """What a build may take from the live site (manifest.load_live_changes): only when it updates the kept
    site in place (`previous` is `kept`: reusable()), which is a build behind the live one."""
    if clone_from is not None or previous is None or previous is not kept or not is_build_output(out):
        return None
    groups = load_live_changes(cache_dir, out, marker_identity(out))
    return groups if groups is not None and _all_there(out, groups) else None


def _all_there(root: Path, groups: dict[str, OutputGroup]) -> bool:
    """Whether every file of `groups` is in `root` as the manifest says (a regular file of that size): else
    none is taken from it (a hand edit of the live site), and what they hold is made again."""
    try:
        files = [(path, size) for group in groups.values() for path, size in group.files.items()]
        return all(PLAIN_PATH.fullmatch(path) and _is_file_of(os.path.join(root, path), size) for path, size in files)
    except OutputError:  # a damaged listing
        return False


def _is_file_of(path: str, size: int) -> bool:
    try:
        status = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size == size


def _margin(wanted: Wanted) -> int:
    return min(REUSE_MARGIN, len(wanted.digests) // 4)


def wants_twin(cache_dir: Path, out: Path, wanted: Wanted, rendered: int) -> bool:
    """Whether a build that renders `rendered` servers should leave a twin of its site (StagedOutput.make_twin)
    instead of keeping the live site it replaces: when it renders most servers and that site would lack most
    of them as the next build's kept site, or there is none (the first build, a template change; not an edit,
    nor a --clean build of the same site)."""
    if not is_build_output(out):
        return True
    most = len(wanted.digests) // 2
    if rendered <= most:  # an edit: the live site is close (its manifest is not even read)
        return False
    live = load_output_manifest(cache_dir, out, marker_identity(out))
    return live is None or wanted.stale_servers(live) > most


def keep_unchanged(writer: OutputWriter, plan: OutputPlan, clone_from: Path | None, jobs: int,
                   keep_site_files: bool = False, live: Path | None = None) -> list[Background]:
    """Keep the unchanged files: in place (and the plan's linked groups hard-linked from the `live` site),
    or hard-linked from `clone_from` by `jobs` processes while the build goes on (their paths are claimed
    at once; wait for the returned linkers).  The stale files are deleted, but the site-wide ones (the
    plan's stale_site_files) if `keep_site_files`: the files that replace them will."""
    if clone_from is None:
        writer.remove_previous(plan.stale_files if keep_site_files else [*plan.stale_files, *plan.stale_site_files])
        for group in plan.kept.values():  # kept unread: 384k files at 100k tools
            writer.keep_in_place(group.count, group.bytes)
        if plan.linked:
            assert live is not None, "a plan links groups only from a live site"
            for path, size in sorted(path_size for group in plan.linked.values() for path_size in group.files.items()):
                writer.link(path, live, size, or_copy=True)  # a few files: copied where there are no hard links
        return []
    files = plan.kept_files()
    writer.record_many(files)
    return _linkers(writer.root, clone_from, sorted(files.items()), jobs)


def fill_twin(writer: OutputWriter, groups: dict[str, OutputGroup], twin: Path, jobs: int) -> bool:
    """Hard-link every file of the build into `twin` (StagedOutput.make_twin), by `jobs` processes; False
    (nothing more done) when the first link is refused: a filesystem without hard links gets no twin.
    `groups`: the build's files, by group (OutputPlan.groups), the marker aside (the twin has its own)."""
    files = sorted((path, size) for group in groups.values() for path, size in group.files.items())
    if not files:
        return True
    try:
        _link_files(twin, writer.root, files[:1])
    except (OSError, BuildSiteError):
        return False
    files = files[1:]
    linkers = _linkers(twin, writer.root, files, max(1, jobs))
    try:
        linked = sum(linker.result() for linker in linkers)
    finally:
        for linker in linkers:
            linker.close()
    if linked != len(files):  # a twin short of files would be taken for the whole site by the next build
        raise OutputError(f"linked {linked:,} of {len(files):,} files into {twin}")
    return True


def _linkers(root: Path, source: Path, files: list[tuple[str, int]], jobs: int) -> list[Background]:
    """`jobs` processes (forked when more than one) hard-linking a share each of `files` from `source` into
    `root`; each one's result is the number of files it linked."""
    shares = [files[number * len(files) // jobs: (number + 1) * len(files) // jobs] for number in range(jobs)]
    return [Background(partial(_link_files, root, source, share), fork=jobs > 1) for share in shares]


def _link_files(root: Path, source: Path, files: list[tuple[str, int]]) -> int:
    writer = OutputWriter(root)
    for path, size in files:
        writer.link(path, source, size)
    return len(files)
