"""The import graph of ``trunkline``: no import runs up a layer, the sandbox stands apart, no loop.

The graph is read from the source with ``ast`` (nothing is imported), so an import inside a
function counts as much as one at the top of a module. The layers are DESIGN.md's ("Layout"):
a module imports from its own layer or from the layers below it, never above, and whatever it
imports only for type checking counts too (it still says which way the code depends). Loops are
counted among the imports that run (``if TYPE_CHECKING:`` blocks left out).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import trunkline

PACKAGE = Path(trunkline.__file__).parent
ROOT = PACKAGE.name  # "trunkline"

# Top to bottom. Each name is a first-level module or package of trunkline. The edges are one
# layer: graphql/ serves the resolvers, which present schema/ types. The ingestion engine stands
# above the services whose rules it applies (a service that records through it, as sending does,
# is handed the Gateway's recorder). Four modules DESIGN.md does not place sit with the edges:
# gateway.py (the collaborators the edges reach through the request context), health.py
# (/healthz and /readyz), media.py (/media, signed media downloads) and bodies.py (HTTP bodies,
# read for graphql/ and webhooks/), and scrape.py (/metrics); metrics.py (the metrics' one home)
# sits at the bottom, where every layer may count. ``trunkline/__init__.py`` itself (the
# version) is below everything.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"app", "cli"}),
    frozenset(
        {
            "graphql",
            "resolvers",
            "schema",
            "webhooks",
            "gateway",
            "health",
            "media",
            "bodies",
            "scrape",
        }
    ),
    frozenset({"ingestion"}),
    frozenset({"services"}),
    frozenset({"activity", "twilio"}),
    frozenset({"events", "models", "auth", "settings", "logs", "metrics"}),
    frozenset({""}),
)
# The sandbox carrier imports nothing else of trunkline; only these mount or run it.
APART = "sandbox"
MAY_IMPORT_APART = frozenset({"app", "cli"})

# Imports allowed to break a rule, each with its issue and reason: none today. The test fails on
# any violation not listed here, and on a listed one that is gone (the list only shrinks).
ALLOWED_VIOLATIONS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    type_only: bool

    def __str__(self) -> str:
        only = " (type checking only)" if self.type_only else ""
        return f"{self.importer}:{self.line} imports {self.imported}{only}"


def module_names() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_modules(
    node: ast.Import | ast.ImportFrom, importer: str, modules: set[str]
) -> list[str]:
    """The modules of ours that ``node`` imports: ``from a import b`` is ``a.b`` if that is a
    module, else ``a``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        is_package = (PACKAGE.parent / importer.replace(".", "/") / "__init__.py").exists()
        anchor = importer.split(".")[: len(importer.split(".")) - node.level + is_package]
        base = ".".join([*anchor, *([base] if base else [])])
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
        for alias in node.names
    ]


@functools.cache  # the source does not change during a run
def imports() -> tuple[Import, ...]:
    """Every import of one of our modules by another, with its line and whether it is type-only."""
    modules = module_names()
    found: list[Import] = []
    for importer, path in modules.items():

        def visit(node: ast.AST, type_only: bool, importer: str = importer) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _is_type_checking(child):
                    for statement in child.body:
                        visit_one(statement, True, importer)
                    for statement in child.orelse:
                        visit_one(statement, type_only, importer)
                else:
                    visit_one(child, type_only, importer)

        def visit_one(node: ast.AST, type_only: bool, importer: str) -> None:
            if isinstance(node, ast.Import | ast.ImportFrom):
                for imported in _imported_modules(node, importer, set(modules)):
                    if imported == ROOT or imported.startswith(f"{ROOT}."):
                        found.append(Import(importer, imported, node.lineno, type_only))
            visit(node, type_only)

        visit(ast.parse(path.read_text(), filename=str(path)), False)
    return tuple(found)


def unit(module: str) -> str:
    """The first-level name under trunkline a module belongs to (``""`` for trunkline itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer(module: str) -> int:
    """How deep ``module``'s layer is: 0 for app and cli."""
    name = unit(module)
    for depth, members in enumerate(LAYERS):
        if name in members:
            return depth
    raise LookupError(f"{module} is in no layer: add {name!r} to LAYERS (tests/test_layers.py)")


def breaks_a_rule(edge: Import) -> bool:
    importer, imported = unit(edge.importer), unit(edge.imported)
    if importer == APART or imported == APART:
        return importer != imported and not (imported == APART and importer in MAY_IMPORT_APART)
    return layer(edge.imported) < layer(edge.importer)


def violations() -> dict[tuple[str, str], list[Import]]:
    found: dict[tuple[str, str], list[Import]] = {}
    for edge in imports():
        if breaks_a_rule(edge):
            found.setdefault((edge.importer, edge.imported), []).append(edge)
    return found


def loops(edges: Iterable[Import]) -> list[list[str]]:
    """The import loops: strongly connected groups of modules (Tarjan's algorithm, iterative)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.importer != edge.imported:
            graph.setdefault(edge.importer, set()).add(edge.imported)
            graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
    return found


def test_every_module_is_in_a_layer_or_apart() -> None:
    names = {unit(module) for module in module_names()}
    placed = set().union(*LAYERS, {APART})
    assert sorted(names - placed) == []


def test_no_import_runs_up_a_layer() -> None:
    new = {pair: edges for pair, edges in violations().items() if pair not in ALLOWED_VIOLATIONS}
    assert [str(edge) for edges in new.values() for edge in edges] == []


def test_every_allowed_violation_still_exists() -> None:
    fixed = sorted(set(ALLOWED_VIOLATIONS) - set(violations()))
    assert fixed == [], "fixed: delete these from ALLOWED_VIOLATIONS"


def test_no_import_loops() -> None:
    running = [edge for edge in imports() if not edge.type_only]
    assert loops(running) == []


def test_the_graph_sees_imports_of_every_kind() -> None:
    """The reader finds what the rules are checked on: plain, type-only and in-function imports."""
    found = {(edge.importer, edge.imported, edge.type_only) for edge in imports()}
    assert ("trunkline.resolvers.root", "trunkline.resolvers.activity", False) in found
    assert ("trunkline.graphql.context", "trunkline.gateway", True) in found
    assert ("trunkline.app", "trunkline.sandbox", False) in found  # inside _sandbox_app()
    assert ("trunkline.services.keys", "trunkline.services.errors", False) in found


def test_a_loop_is_found() -> None:
    edges = [
        Import("trunkline.a", "trunkline.b", 1, False),
        Import("trunkline.b", "trunkline.c", 1, False),
        Import("trunkline.c", "trunkline.a", 1, False),
        Import("trunkline.c", "trunkline.d", 1, False),
    ]
    assert loops(edges) == [["trunkline.a", "trunkline.b", "trunkline.c"]]
