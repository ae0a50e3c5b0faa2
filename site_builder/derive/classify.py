"""The classifier: a category, a confidence and effects from all the evidence a tool gives.

Evidence, in the order it is weighed:

1. the name's leading verb (after namespaces such as `API-`, `browser_`, `slack_`),
   raised by what it acts on (`create_refund` moves money);
2. the description's leading verb;
3. the input schema (a `command` or `sql` parameter runs something);
4. the MCP annotations (the server's own hints, not truth);
5. an imported grouping (an Intercept scaffold), the weakest.

A reviewed classification in the catalogue (`confidence: high`) is the answer;
the classifier still runs beside it, and lint reports where they differ.
Pure functions of one tool.
"""

from __future__ import annotations

from typing import Any

from ..content.models import Category, Confidence, Tool
from . import lexicon as lx
from .assessment import Assessment, Effect, Evidence
from .effects import derive_effects
from .heuristics import SCAFFOLD_MARK, is_import_guess
from .objects import refine
from .parameters import output_locations, parameter_kinds, parameter_words, schema_properties, switches
from .verbs import action_in_name, description_verb, name_verb, rank, verb_category
from .words import name_words, says, text_words


def _name_evidence(tool: Tool, server_words: frozenset[str], described: tuple[str, Category] | None
                   ) -> Evidence | None:
    """`described`: the description's leading verb (description_verb), which the name may repeat."""
    words = name_words(tool.name)
    leading = name_verb(tool.name, server_words)
    found = action_in_name(words, leading, described, tool.description) or leading
    if found is None:
        return None
    verb, category = found
    refined = refine(verb, category, words, tool.description, server_words)
    if refined is not None:
        return Evidence("name", refined[0], refined[1])
    return Evidence("name", category, f"leading verb '{verb}'")


def _description_evidence(tool: Tool, found: tuple[str, Category] | None) -> Evidence | None:
    if found is None:
        return None
    verb, category = found
    phrase = _destructive_phrase((tool.description or "")[:lx.MAX_SCAN].lower())
    if category is Category.WRITE and phrase:
        return Evidence("description", Category.DESTRUCTIVE, f"opens with '{verb}' and says '{phrase}'")
    refined = refine(verb, category, name_words(tool.name), tool.description, frozenset())
    if refined is not None and refined[0] is Category.EXECUTE:
        return Evidence("description", refined[0], f"opens with '{verb}': {refined[1]}")
    return Evidence("description", category, f"opens with '{verb}'")


def _destructive_phrase(text: str) -> str | None:
    """A phrase that says the change destroys, unless negated (`NEVER overwrite the original`)."""
    return next((phrase for phrase in lx.DESTRUCTIVE_TEXT if says(text, phrase, window=12)), None)


def _action_values(tool: Tool) -> list[str]:
    values: list[str] = []
    for name, spec in schema_properties(tool.input_schema).items():
        if isinstance(spec, dict) and set(name_words(str(name))) & lx.ACTION_PARAMS:
            enum = spec.get("enum")
            values.extend(str(value) for value in (enum[:50] if isinstance(enum, list) else ()))
    return values


def _schema_evidence(tool: Tool) -> Evidence | None:
    words = parameter_words(tool.input_schema)
    code = sorted(name for name, kind in parameter_kinds(tool.input_schema, tool.description or "").items()
                  if kind in ("command", "code", "sql"))
    if code:
        return Evidence("schema", Category.EXECUTE, f"takes code, SQL or a command ({', '.join(code[:3])})")
    actions = [(value, verb_category(name_words(value)[0])) for value in _action_values(tool) if name_words(value)]
    known = [(value, category) for value, category in actions if category is not None]
    if known:
        value, category = max(known, key=lambda pair: rank(pair[1]))
        return Evidence("schema", category, f"its action can be '{value}'")
    flags = sorted(words & lx.DESTRUCTIVE_PARAMS)
    if flags:
        return Evidence("schema", Category.DESTRUCTIVE, f"has a '{flags[0]}' parameter")
    return None


def _language_evidence(tool: Tool, described: tuple[str, Category] | None) -> Evidence | None:
    """The description opens by running a query language that can write (SQL, Cypher), not read-only."""
    if described is None or described[1] is not Category.EXECUTE:
        return None
    opening = (tool.description or "")[:200].lower()
    languages = sorted(set(text_words(opening)) & {"sql", "cypher", "graphql"})
    if not languages or "read-only" in opening or "read only" in opening or "read mode" in opening:
        return None
    return Evidence("language", Category.EXECUTE, f"the description runs {languages[0].upper()}")


def _output_evidence(tool: Tool) -> Evidence | None:
    saved = output_locations(tool.input_schema)
    return Evidence("output", Category.WRITE, f"saves output where its '{saved[0]}' parameter says") if saved else None


def _switch_evidence(tool: Tool) -> Evidence | None:
    found = switches(tool.input_schema)
    if not found:
        return None
    name, does = found[0]
    if does == "destroys":
        return Evidence("switch", Category.DESTRUCTIVE, f"its '{name}' switch makes a call {name} data")
    return Evidence("switch", Category.EXECUTE, f"its '{name}' switch makes a call run what it is given")


def _annotation_evidence(annotations: dict[str, Any] | None) -> Evidence | None:
    hints = annotations or {}
    if hints.get("readOnlyHint") is True:
        return Evidence("annotations", Category.READ, "the server declares readOnlyHint: true")
    if hints.get("destructiveHint") is True:
        return Evidence("annotations", Category.DESTRUCTIVE, "the server declares destructiveHint: true")
    if hints.get("readOnlyHint") is False:
        return Evidence("annotations", Category.WRITE, "the server declares readOnlyHint: false")
    return None


def _scaffold_evidence(tool: Tool) -> Evidence | None:
    rationale = tool.classification.rationale
    if rationale.startswith(SCAFFOLD_MARK) and tool.classification.confidence is Confidence.MEDIUM:
        group = rationale[len(SCAFFOLD_MARK):].split("'", 1)[0]
        return Evidence("scaffold", tool.classification.category, f"an imported scaffold groups it under '{group}'")
    return None


def gather(tool: Tool, server_words: frozenset[str] = frozenset()) -> tuple[Evidence, ...]:
    described = description_verb(tool.description)
    found = (_name_evidence(tool, server_words, described), _description_evidence(tool, described),
             _schema_evidence(tool), _language_evidence(tool, described), _output_evidence(tool), _switch_evidence(tool),
             _annotation_evidence(tool.annotations), _scaffold_evidence(tool))
    return tuple(item for item in found if item is not None)


def _decide(evidence: tuple[Evidence, ...]) -> tuple[Category, Confidence, tuple[str, ...]]:
    by_source = {item.source: item.says for item in evidence if item.says is not None}
    name, described = by_source.get("name"), by_source.get("description")
    leading = name or described
    if "language" in by_source and leading is not None and rank(leading) < rank(Category.EXECUTE):
        leading = Category.EXECUTE  # "Execute Cypher with write capabilities": the name's verb was a mode
    if name is Category.READ and described is not None and described is not Category.READ \
            and by_source.get("annotations") not in (None, Category.READ):
        leading = described  # a read name against a description and hints that both say it changes something
    if leading is None:
        weaker = by_source.get("schema") or by_source.get("annotations") or by_source.get("scaffold")
        category = weaker if weaker is not None else Category.EXECUTE
        return _raise_by_schema(category, by_source), Confidence.LOW, ("the name and description name no known action",)
    category = _raise_by_schema(leading, by_source)
    disagreements = tuple(f"{item.source} says {item.says.value}" for item in evidence
                          if item.says is not None and item.says is not category
                          and item.source not in RAISING
                          and not (item.source == "schema" and category is Category.EXECUTE))
    agreeing = name is not None and (described is not None or "annotations" in by_source)
    confidence = Confidence.MEDIUM if agreeing and not disagreements else Confidence.LOW
    return category, confidence, disagreements


# A read whose schema shows a write (an action that creates) is a write; not code: linters take SQL
RAISE_READ: tuple[Category, ...] = (Category.WRITE,)
RAISING = ("output", "switch")  # evidence that raises any category: an output file, a `reset` switch


def _raise_by_schema(category: Category, by_source: dict[str, Category]) -> Category:
    """A changing tool whose parameters show worse (a command, an action 'delete', a 'force' flag) is worse;
    any tool that writes its output to a file, or has a switch that destroys or runs, does that too."""
    schema, described = by_source.get("schema"), by_source.get("description")
    for source in RAISING:
        if source in by_source and rank(by_source[source]) > rank(category):
            category = by_source[source]
    if category is Category.READ:
        return schema if schema in RAISE_READ else category
    raised: Category = category
    if schema is not None and rank(schema) > rank(raised):
        raised = schema
    if described is Category.DESTRUCTIVE and rank(described) > rank(raised):
        raised = described
    return raised


def classify(tool: Tool, server_words: frozenset[str] = frozenset(), sibling_secrets: bool = False) -> Assessment:
    """The tool's category, confidence and effects, with the evidence for them (`sibling_secrets`:
    it reads an object a sibling tool reveals secrets from; see siblings.py)."""
    evidence = gather(tool, server_words)
    instructs = any(lx.instructions_to_the_agent(tool.title, tool.description))
    declared = tool.classification
    derived, confidence, disagreements = _decide(evidence)
    if not is_import_guess(declared.rationale):  # written by a person: the answer
        review = Evidence("review", declared.category, "reviewed by hand")
        differs = (f"the evidence says {derived.value}",) if derived is not declared.category else ()
        effects = tuple(Effect(e) for e in declared.effects) if declared.effects is not None \
            else derive_effects(tool, declared.category, sibling_secrets)
        return Assessment(declared.category, declared.confidence, effects, (review, *evidence), differs, True,
                          instructs)
    effects = derive_effects(tool, derived, sibling_secrets)
    return Assessment(derived, confidence, effects, evidence, disagreements, False, instructs)
