"""Plain leaf fields completed directly (graphql/plain_fields.py) answer as graphql-core would."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from graphql import FieldNode, GraphQLField, GraphQLObjectType, GraphQLResolveInfo
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from trunkline.graphql.plain_fields import PlainLeafFields


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    count: int
    colour: Colour
    at: datetime
    note: str | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Box:
    items: list[Item]
    label: str | None


def item(**changes: Any) -> Item:
    values: dict[str, Any] = {
        "id": strawberry.ID("7"),
        "name": "seven",
        "count": 7,
        "colour": Colour.RED,
        "at": datetime(2026, 11, 30, 1, 2, 3, tzinfo=UTC),
        "note": None,
    }
    values.update(changes)
    return Item(**values)


BOXES: dict[str, Box] = {}


@strawberry.type
class Query:
    @strawberry.field
    def box(self, key: str) -> Box:
        return BOXES[key]


BOX = """
query Box($key: String!) {
  box(key: $key) {
    label
    items { id name count colour at note shout alias: name }
  }
}
"""


class CountingInfo(PlainLeafFields):
    """Counts the resolve infos built: one per field that goes graphql-core's usual way."""

    built = 0

    def build_resolve_info(
        self,
        field_def: GraphQLField,
        field_nodes: list[FieldNode],
        parent_type: GraphQLObjectType,
        path: Path,
    ) -> GraphQLResolveInfo:
        CountingInfo.built += 1
        return super().build_resolve_info(field_def, field_nodes, parent_type, path)


def answers(executor: type, key: str) -> tuple[Any, list[tuple[str, Any]]]:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    result = schema.execute_sync(BOX, variable_values={"key": key})
    errors = [(error.message, error.path) for error in result.errors or []]
    return result.data, errors


@pytest.mark.parametrize(
    ("key", "box"),
    [
        ("plain", Box(items=[item(), item(note="n", count=0)], label="l")),
        ("null label", Box(items=[item()], label=None)),
        ("null in a non-null leaf", Box(items=[item(), item(name=None)], label="l")),
        ("a value the scalar refuses", Box(items=[item(count="many")], label="l")),
        ("a value the enum refuses", Box(items=[item(colour="blue")], label="l")),
    ],
)
def test_plain_leaves_answer_exactly_as_strawberrys_executor_does(key: str, box: Box) -> None:
    BOXES[key] = box

    fast = answers(PlainLeafFields, key)

    assert fast == answers(StrawberryGraphQLCoreExecutionContext, key)
    if key.startswith(("null in", "a value")):
        assert fast[0] is None, fast
        assert len(fast[1]) == 1, fast  # the error, at its path


def test_only_fields_that_are_not_plain_leaves_build_a_resolve_info() -> None:
    BOXES["counted"] = Box(items=[item(), item(), item()], label="l")
    CountingInfo.built = 0

    data, errors = answers(CountingInfo, "counted")

    assert not errors
    assert data["box"]["items"][2]["shout"] == "SEVEN"
    # box, items, and each item's shout (a resolver): not the 3 x 7 leaves nor the label.
    assert CountingInfo.built == 2 + 3
