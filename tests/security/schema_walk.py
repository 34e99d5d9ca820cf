"""Walk the served GraphQL schema: every root field, and every id or cursor a client hands in.

The tests that use this never list operations by hand, so a field added to the schema is probed
the day it is added. What the walker cannot build a valid call for, it reports as skipped; the
tests compare that list with an explicit one, so nothing is skipped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    is_enum_type,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined

OperationType = Literal["query", "mutation", "subscription"]
KeyKind = Literal["id", "cursor"]

# Arguments that carry a position in a list or stream rather than an entity's id.
CURSOR_NAMES = frozenset({"after", "before", "cursor"})

# Valid stand-ins for required arguments that are not under test.
SAMPLE_SCALARS: dict[str, Any] = {
    "String": "x",
    "ID": "1",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
}


class CannotBuild(Exception):
    """No valid value of this input type is known to the walker."""


@dataclass(frozen=True)
class RootField:
    """One field of Query, Mutation or Subscription."""

    operation: OperationType
    name: str
    field: GraphQLField

    @property
    def label(self) -> str:
        return f"{self.operation} {self.name}"


@dataclass(frozen=True)
class KeyArgument:
    """One place in a root field's arguments where a client hands in an id or a cursor."""

    root: RootField
    path: tuple[str, ...]  # the argument, then input-object fields down to the value
    kind: KeyKind

    @property
    def name(self) -> str:
        """The dotted name the gateway reports in BAD_USER_INPUT's ``field``."""
        return ".".join(self.path)

    @property
    def label(self) -> str:
        return f"{self.root.label}({self.name})"


@dataclass(frozen=True)
class Call:
    """A complete operation: its document and its variables."""

    root: RootField
    document: str
    variables: dict[str, Any]


class SchemaWalk:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    def root_fields(self) -> Iterator[RootField]:
        roots: list[tuple[OperationType, GraphQLObjectType | None]] = [
            ("query", self.schema.query_type),
            ("mutation", self.schema.mutation_type),
            ("subscription", self.schema.subscription_type),
        ]
        for operation, root in roots:
            if root is None:
                continue
            for name, field in root.fields.items():
                yield RootField(operation, name, field)

    def key_arguments(self) -> Iterator[KeyArgument]:
        """Every ``ID`` (``ID!``, ``[ID!]``...) and every cursor-named argument, inputs included."""
        for root in self.root_fields():
            for name, argument in root.field.args.items():
                yield from self._keys_in(root, (name,), argument.type, name)

    def _keys_in(
        self, root: RootField, path: tuple[str, ...], type_: GraphQLInputType, name: str
    ) -> Iterator[KeyArgument]:
        named = get_named_type(type_)
        if named is GraphQLID:
            yield KeyArgument(root, path, "id")
        elif name in CURSOR_NAMES or name.endswith("Cursor"):
            yield KeyArgument(root, path, "cursor")
        elif is_input_object_type(named):
            for field_name, field in named.fields.items():  # type: ignore[union-attr]
                yield from self._keys_in(root, (*path, field_name), field.type, field_name)

    def call(self, root: RootField, given: dict[tuple[str, ...], Any] | None = None) -> Call:
        """A valid call of ``root``, with the values ``given`` at their paths.

        Required arguments not given get a sample value of their type; raises
        :class:`CannotBuild` when one has a type the walker has no sample for.
        """
        given = given or {}
        wanted = {path[0] for path in given}
        variables: dict[str, Any] = {}
        for name, argument in root.field.args.items():
            if name in wanted:
                variables[name] = self._value(argument.type, (name,), given)
            elif _required(argument):
                variables[name] = self._sample(argument.type)
        declarations = ", ".join(f"${n}: {root.field.args[n].type}" for n in variables)
        arguments = ", ".join(f"{n}: ${n}" for n in variables)
        header = f"{root.operation} Probe({declarations})" if variables else root.operation
        call = f"{root.name}({arguments})" if variables else root.name
        return Call(root, f"{header} {{ {call} {self._selection(root.field.type)} }}", variables)

    def _value(
        self, type_: GraphQLInputType, path: tuple[str, ...], given: dict[tuple[str, ...], Any]
    ) -> Any:
        if path in given:
            return given[path]
        named = get_named_type(type_)
        if not is_input_object_type(named):
            return self._sample(type_)
        value = {}
        for name, field in named.fields.items():  # type: ignore[union-attr]
            inner = (*path, name)
            if any(p[: len(inner)] == inner for p in given):
                value[name] = self._value(field.type, inner, given)
            elif _required(field):
                value[name] = self._sample(field.type)
        return value

    def _sample(self, type_: GraphQLInputType) -> Any:
        if is_non_null_type(type_):
            return self._sample(type_.of_type)  # type: ignore[union-attr]
        if is_list_type(type_):
            return []
        if is_input_object_type(type_):
            return {
                name: self._sample(field.type)
                for name, field in type_.fields.items()  # type: ignore[union-attr]
                if _required(field)
            }
        if is_enum_type(type_):
            return next(iter(type_.values))  # type: ignore[union-attr]
        name = type_.name  # type: ignore[union-attr]
        if name not in SAMPLE_SCALARS:
            raise CannotBuild(name)
        return SAMPLE_SCALARS[name]

    def _selection(self, type_: GraphQLOutputType) -> str:
        """Enough of the result to tell success, a typed error and its ``field`` apart."""
        named = get_named_type(type_)
        if not is_composite_type(named):
            return ""
        parts = ["__typename"]
        if "totalCount" in getattr(named, "fields", {}):
            parts.append("totalCount")  # a list: whether it is empty
        if is_abstract_type(named):
            possible = self.schema.get_possible_types(named)  # type: ignore[arg-type]
            if any(face.name == "Error" for member in possible for face in member.interfaces):
                parts.append("... on Error { code message }")
            if any(member.name == "UserInputError" for member in possible):
                parts.append("... on UserInputError { field }")
        return "{ " + " ".join(parts) + " }"


def _required(argument: GraphQLArgument | GraphQLInputField) -> bool:
    return is_non_null_type(argument.type) and argument.default_value is Undefined


def outcome(root: RootField, body: dict[str, Any]) -> str:
    """One line for what a response (or a subscription's first message payload) says.

    ``"BAD_USER_INPUT id"`` for bad input naming its field (a query error or a typed mutation
    error alike), ``"not found"`` for NOT_FOUND and a domain's own not-found code, ``"null"``,
    ``"ok <Type>"`` for success (``"empty"`` for a list of nothing), ``"<CODE> <message>"`` for
    other errors, ``"no code <message>"`` for an error without a code (the masked "Unexpected
    error." among them).
    """
    errors = body.get("errors") or []
    if errors:
        return "; ".join(_error_line(error.get("extensions") or {}, error) for error in errors)
    value = (body.get("data") or {}).get(root.name)
    if value is None:
        return "null"
    if isinstance(value, dict) and "code" in value:
        return _error_line(value, value)
    if isinstance(value, dict) and value.get("totalCount") == 0:
        return "empty"  # a list of nothing
    if isinstance(value, dict):
        return f"ok {value['__typename']}"
    return "ok"


NOT_FOUND_CODES = frozenset({"NOT_FOUND", "PHONE_NUMBER_NOT_FOUND"})


def _error_line(extensions: dict[str, Any], error: dict[str, Any]) -> str:
    code = extensions.get("code")
    if code in NOT_FOUND_CODES:
        return "not found"
    if code == "BAD_USER_INPUT":
        return f"BAD_USER_INPUT {extensions.get('field')}"
    return f"{code or 'no code'} {error.get('message')}"
