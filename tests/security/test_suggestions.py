"""No "Did you mean" of any kind outside development.

The walk covers the schema itself: every field reachable from a root type and its arguments,
every value of every enum a client can send, every field of every input object, as literals in
the document and as variables. Each probe is a near-miss that development answers with a
suggestion (asserted), so the production assertion cannot pass for want of near-misses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_composite_type,
)
from graphql import (
    build_schema as schema_from_sdl,
)

from tests.support.graphql import GraphQLClient
from trunkline.resolvers.root import build_schema
from trunkline.settings import Settings

SUGGESTION = "Did you mean"
ROOTS = (("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription"))
# Input objects nest a level or two; the bound only stops an input that contains itself.
MAX_INPUT_NESTING = 4

# The three leaks of the adversarial run, as an anonymous caller sent them.
ARGUMENT_NEAR_MISS = '{ availableNumbers(country: "US", firs: 1) { phoneNumber } }'
ENUM_NEAR_MISS = '{ availableNumbers(country: "US", type: LOCA) { phoneNumber } }'
INPUT_FIELD_NEAR_MISS = 'mutation { updateNumber(id: "x", input: {labl: "a"}) { __typename } }'


@dataclass(frozen=True)
class Step:
    """One field on the way to a probed field: its name, arguments and fragment (if any)."""

    field: str
    arguments: tuple[tuple[str, str], ...]  # (name, type as written in a variable definition)
    fragment: str | None = None


@dataclass(frozen=True)
class Probe:
    """One near-miss: a document, and the variables it is sent with."""

    name: str
    operation: str
    document: str
    variables: dict[str, Any] | None = None


def _near_miss(name: str, taken: Container[str]) -> str:
    """``name`` with one letter more: one edit from ``name``, and (checked) not a real name."""
    miss = name + ("X" if name.isupper() else "x")
    assert miss not in taken, miss
    return miss


def _step(name: str, field: GraphQLField, fragment: str | None = None) -> Step:
    arguments = tuple(
        (argument, str(definition.type)) for argument, definition in field.args.items()
    )
    return Step(name, arguments, fragment)


def _sites(
    schema: GraphQLSchema,
) -> Iterator[tuple[str, tuple[Step, ...], GraphQLObjectType]]:
    """Every object type reachable from a root, with its operation and the first path to it."""
    seen: set[str] = set()
    queue: list[tuple[str, tuple[Step, ...], GraphQLObjectType]] = []
    for operation, root_name in ROOTS:
        root = schema.get_type(root_name)
        assert isinstance(root, GraphQLObjectType)
        queue.append((operation, (), root))
    while queue:
        operation, path, type_ = queue.pop(0)
        if type_.name in seen:
            continue
        seen.add(type_.name)
        yield operation, path, type_
        for name, field in type_.fields.items():
            target = get_named_type(field.type)
            if isinstance(target, GraphQLObjectType):
                queue.append((operation, (*path, _step(name, field)), target))
            elif isinstance(target, GraphQLUnionType | GraphQLInterfaceType):
                for member in schema.get_possible_types(target):
                    queue.append((operation, (*path, _step(name, field, member.name)), member))


def _selection(path: tuple[Step, ...], inner: str, render: Callable[[Step], str]) -> str:
    """``inner`` selected at the end of ``path``; ``render`` writes each step's arguments."""
    for step in reversed(path):
        inner = f"... on {step.fragment} {{ {inner} }}" if step.fragment else inner
        inner = f"{step.field}{render(step)} {{ {inner} }}"
    return inner


def _value_near_misses(type_: GraphQLInputType, depth: int = 0) -> Iterator[tuple[str, str, Any]]:
    """(what, literal, variable value): near-misses of a value of ``type_``."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType):
        for value in named.values:
            miss = _near_miss(value, named.values)
            yield f"{named.name}.{value}", miss, miss
    elif isinstance(named, GraphQLInputObjectType) and depth < MAX_INPUT_NESTING:
        for name, field in named.fields.items():
            miss = _near_miss(name, named.fields)
            yield f"{named.name}.{name}", f"{{{miss}: null}}", {miss: None}
            for what, literal, value in _value_near_misses(field.type, depth + 1):
                yield what, f"{{{name}: {literal}}}", {name: value}


def probes(schema: GraphQLSchema) -> Iterator[Probe]:
    """Every near-miss a client can send ``schema``: field and argument names, enum values and
    input fields."""
    for operation, path, type_ in _sites(schema):
        for name in type_.fields:
            miss = _near_miss(name, type_.fields)
            yield Probe(
                f"field name {type_.name}.{name}",
                operation,
                f"{operation} {{ {_selection(path, miss, _none)} }}",
            )
        for name, field in type_.fields.items():
            leaf = " { __typename }" if is_composite_type(get_named_type(field.type)) else ""
            for argument, definition in field.args.items():
                where = f"{type_.name}.{name}({argument})"
                miss = _near_miss(argument, field.args)
                yield Probe(
                    f"argument name in {where}",
                    operation,
                    f"{operation} {{ {_selection(path, f'{name}({miss}: null){leaf}', _none)} }}",
                )
                for what, literal, value in _value_near_misses(definition.type):
                    inner = f"{name}({argument}: {literal}){leaf}"
                    yield Probe(
                        f"{what} as a literal in {where}",
                        operation,
                        f"{operation} {{ {_selection(path, inner, _none)} }}",
                    )
                    yield _variable_probe(
                        f"{what} as a variable in {where}",
                        operation,
                        (*path, _step(name, field)),
                        leaf,
                        argument,
                        value,
                    )


def _none(step: Step) -> str:
    return ""


def _variable_probe(
    name: str, operation: str, path: tuple[Step, ...], leaf: str, probed: str, value: Any
) -> Probe:
    """A valid document passing every argument on ``path`` as a variable; the probed one gets
    ``value``, the others nothing (a missing required one is just one more error)."""
    definitions: list[str] = []
    probed_variable = ""

    def render(step: Step) -> str:
        nonlocal probed_variable
        passed = []
        for argument, type_ in step.arguments:
            variable = f"v{len(definitions)}"
            definitions.append(f"${variable}: {type_}")
            passed.append(f"{argument}: ${variable}")
            if step is path[-1] and argument == probed:
                probed_variable = variable
        return f"({', '.join(passed)})" if passed else ""

    *above, last = path
    selection = _selection(tuple(above), f"{last.field}{render(last)}{leaf}", render)
    document = f"{operation} Probe({', '.join(definitions)}) {{ {selection} }}"
    return Probe(name, operation, document, {probed_variable: value})


async def _messages(schema: Any, probe: Probe) -> list[str]:
    """The error messages ``schema`` answers ``probe`` with."""
    if probe.operation == "subscription":
        stream = await schema.subscribe(probe.document, variable_values=probe.variables)
        try:
            # A refused subscription's first result is its errors. One that got past every
            # check would wait for an event instead: that probe missed, and says so by timing out.
            result = await asyncio.wait_for(anext(stream), timeout=5)
        finally:
            await stream.aclose()
    else:
        result = await schema.execute(probe.document, variable_values=probe.variables)
    return [error.message for error in result.errors or []]


@pytest.fixture(scope="module")
def production_schema(settings: Settings) -> Any:
    assert not settings.is_development
    return build_schema(settings)


@pytest.fixture(scope="module")
def development_schema(settings: Settings) -> Any:
    development = settings.model_copy(update={"auth0_issuer": ""})
    assert development.is_development
    return build_schema(development)


@pytest.fixture(scope="module")
def every_probe(production_schema: Any) -> list[Probe]:
    sdl = schema_from_sdl(production_schema.as_str())
    return list(probes(sdl))


def test_the_walk_reaches_arguments_enum_values_and_input_fields_in_both_forms(
    every_probe: list[Probe],
) -> None:
    names = [probe.name for probe in every_probe]

    assert "field name Me.orgId" in names
    assert "argument name in Query.availableNumbers(first)" in names
    assert "NumberType.LOCAL as a literal in Query.availableNumbers(type)" in names
    assert "NumberType.LOCAL as a variable in Query.availableNumbers(type)" in names
    assert "UpdateNumberInput.label as a literal in Mutation.updateNumber(input)" in names
    assert "UpdateNumberInput.label as a variable in Mutation.updateNumber(input)" in names
    assert any(name.endswith("in Subscription.activity(channels)") for name in names)


async def test_development_suggests_for_every_near_miss(
    every_probe: list[Probe], development_schema: Any
) -> None:
    unsuggested = [
        probe.name
        for probe in every_probe
        if not any(SUGGESTION in message for message in await _messages(development_schema, probe))
    ]

    assert unsuggested == []


async def test_production_suggests_for_no_near_miss(
    every_probe: list[Probe], production_schema: Any
) -> None:
    suggested = {
        probe.name: message
        for probe in every_probe
        for message in await _messages(production_schema, probe)
        if SUGGESTION in message
    }

    assert suggested == {}


@pytest.mark.parametrize(
    ("document", "error"),
    [
        (ARGUMENT_NEAR_MISS, "Unknown argument 'firs' on field 'Query.availableNumbers'."),
        (ENUM_NEAR_MISS, "Value 'LOCA' does not exist in 'NumberType' enum."),
        (
            INPUT_FIELD_NEAR_MISS,
            "Expected value of type 'UpdateNumberInput' not to include unknown field 'labl'.",
        ),
    ],
)
async def test_anonymous_caller_gets_the_error_without_a_suggestion(
    graphql: GraphQLClient, document: str, error: str
) -> None:
    result = await graphql.execute(document)

    assert result.get("data") is None
    assert [e["message"] for e in result["errors"]] == [error]
