"""Attack patterns (content/attacks/*.yaml, docs/attack-format.md): loaded and validated like the catalogue.

Each pattern names what exposes a tool to it (categories, effects, argument
kinds, signals); a tool is exposed when one of its exposure keys
(:func:`site_builder.derive.exposure.exposure_keys`) is listed.  Every
Intercept snippet must load: it is checked by our Intercept validator.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from ..errors import Problem, UserError, display_path
from .models import HttpUrl, Category
from .short_repr import ShortReprTuple
from .yaml_files import iter_yaml_files
from .yamlio import load_yaml, parse_yaml

ATTACK_DOC = "docs/attack-format.md"
Effect = Literal["changes_state", "sends_out", "spends", "reveals_secrets"]
ArgumentKind = Literal["path", "url", "host", "callback", "command", "shell", "code", "sql", "amount", "flag"]
SignalKind = Literal["call-first", "ignore-instructions", "bulk", "many-parameters"]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExposedBy(_Strict):
    categories: tuple[Category, ...] = ()
    effects: tuple[Effect, ...] = ()
    arguments: tuple[ArgumentKind, ...] = ()
    signals: tuple[SignalKind, ...] = ()

    @model_validator(mode="after")
    def _something(self) -> ExposedBy:
        if not (self.categories or self.effects or self.arguments or self.signals):
            raise ValueError("name at least one category, effect, argument kind or signal")
        return self

    @functools.cached_property
    def keys(self) -> frozenset[str]:
        return frozenset([*(f"category:{c.value}" for c in self.categories), *(f"effect:{e}" for e in self.effects),
                          *(f"argument:{a}" for a in self.arguments), *(f"signal:{s}" for s in self.signals)])


class Source(_Strict):
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    url: HttpUrl


class AttackPattern(_Strict):
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    summary: Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
    how_it_works: Text
    exposed_by: ExposedBy
    mitigation: Text
    intercept: Text
    sources: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _sourced(self) -> AttackPattern:
        if not self.sources:
            raise ValueError("name at least one source (title and url)")
        return self

    def exposes(self, keys: Iterable[str]) -> bool:
        return not self.exposed_by.keys.isdisjoint(keys)

    @property
    def url(self) -> str:
        return f"attacks/{self.slug}/"


def _snippet_problems(pattern: AttackPattern, file: str, line: int) -> list[Problem]:
    from .intercept_validate import validate_intercept

    doc, problems = parse_yaml(pattern.intercept, f"{file} intercept")
    if doc is None or problems:
        return [Problem(file, line, "intercept", f"the snippet is not YAML: {p.message}") for p in problems[:3]]
    return [Problem(file, line, "intercept", f"Intercept would refuse the snippet: {'.'.join(map(str, path))}: "
                    f"{message}", "see docs/policy-formats.md, section 1") for path, message in validate_intercept(doc.data)]


def _load_one(path: Path) -> tuple[AttackPattern | None, list[Problem]]:
    file = display_path(path)
    doc, problems = load_yaml(path, file)
    if doc is None or problems:
        return None, problems
    try:
        pattern = AttackPattern.model_validate(doc.data)
    except ValidationError as exc:
        return None, [Problem(file, doc.line_of(tuple(e["loc"])), ".".join(map(str, e["loc"])),
                              str(e["msg"]).removeprefix("Value error, "), f"see {ATTACK_DOC}") for e in exc.errors()]
    if pattern.slug != path.stem.lower():
        problems.append(Problem(file, doc.line_of(("slug",)), "slug", f"slug {pattern.slug!r} differs from the file name",
                                f"name the file {pattern.slug}.yaml"))
    return pattern, problems + _snippet_problems(pattern, file, doc.line_of(("intercept",)))


@functools.lru_cache(maxsize=8)
def load_attacks(folder: Path) -> tuple[AttackPattern, ...]:
    """Every pattern of `folder`, sorted by title; all problems of all files at once (UserError)."""
    if not folder.is_dir():
        return ()
    patterns: list[AttackPattern] = []
    problems: list[Problem] = []
    for path in iter_yaml_files(folder):
        pattern, found = _load_one(path)
        problems.extend(found)
        if pattern is not None:
            patterns.append(pattern)
    seen: dict[str, str] = {}
    for pattern in patterns:
        if pattern.slug in seen:
            problems.append(Problem(display_path(folder), 0, "slug", f"two patterns use the slug {pattern.slug!r}"))
        seen[pattern.slug] = pattern.title
    if problems:
        raise UserError(problems)
    return tuple(sorted(patterns, key=lambda p: p.title.lower()))


def exposed_to(patterns: Iterable[AttackPattern], keys: Iterable[str]) -> tuple[AttackPattern, ...]:
    found = frozenset(keys)
    return tuple(pattern for pattern in patterns if pattern.exposes(found))


@dataclass(frozen=True)
class AttackLink:
    """An attack pattern as a tool's page, catalogue.json and llms-full.txt link it."""

    slug: str
    title: str

    @property
    def url(self) -> str:
        return f"attacks/{self.slug}/"


class AttackLinks(ShortReprTuple[AttackLink]):
    """A tool's attack links: a tuple whose repr is short, exact and made once, a digest of its links' own.

    The repr is what a unit's digest is made of (build/units.py): with the
    default patterns, a tool is exposed to several, and the links' own reprs
    made 81 MB of text to hash for an edit at 100k tools.  Tools of one
    exposure share one tuple (units.part_inputs), whose repr is made once."""


def attack_links(patterns: Iterable[AttackPattern], keys: Iterable[str]) -> AttackLinks:
    """The links to the patterns a tool with exposure `keys` is exposed to (in the patterns' order)."""
    return AttackLinks(AttackLink(pattern.slug, pattern.title) for pattern in exposed_to(patterns, keys))


def as_links(patterns: Iterable[AttackPattern]) -> list[dict[str, Any]]:
    return [{"slug": p.slug, "title": p.title} for p in patterns]
