"""A table as the set-based writers see it: one column list, read from the Tortoise model."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any

from tortoise import fields
from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.models import Model

from trunkline.models import Call, Message

# The PostgreSQL type a field's values are sent as.
_SENT_AS: tuple[tuple[type[fields.Field[Any]], str], ...] = (
    (fields.BigIntField, "bigint"),
    (fields.IntField, "int"),
    (fields.BooleanField, "bool"),
    (fields.JSONField, "jsonb"),
    (fields.CharField, "text"),
    (fields.TextField, "text"),
    (fields.DecimalField, "numeric"),
    (fields.DatetimeField, "timestamptz"),
)
# Written by the writers themselves (created_at, updated_at) or by the database (id).
_MANAGED = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class Column:
    name: str
    # The PostgreSQL type its values are sent as; "jsonb" values are JSON text, cast.
    type: str

    def sent(self, value: Any) -> Any:
        """``value`` (a model attribute's) as the statement binds it."""
        if self.type == "jsonb":
            return json.dumps(value)
        return value.value if isinstance(value, Enum) else value


class Table:
    """A table's name and the columns a writer inserts, in the model's order: every column of
    ``model`` but its id, its timestamps and the fields named in ``unset`` (left to their
    defaults), a foreign key as its ``<name>_id`` column.

    Read on first use: ``Tortoise.init`` adds the foreign keys' ``_id`` fields.
    """

    def __init__(self, model: type[Model], *, unset: Collection[str] = ()) -> None:
        self.model = model
        self.unset = frozenset(unset)

    @cached_property
    def name(self) -> str:
        return self.model._meta.db_table

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        meta = self.model._meta
        sources = {meta.fields_map[name].source_field for name in meta.fk_fields}
        columns = []
        for name, field in meta.fields_map.items():
            if name in _MANAGED or name in self.unset or name in sources:
                continue  # (a foreign key's ``_id`` field: written where its relation stands)
            if name not in meta.fields_db_projection and name not in meta.fk_fields:
                continue  # a relation seen from the other side: no column here
            if isinstance(field, ForeignKeyFieldInstance):
                name = field.source_field
                field = meta.fields_map[name]
            columns.append(Column(name, _sent_as(field)))
        return tuple(columns)

    def ordered(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """``values`` (sent already, by column name) in column order."""
        return tuple(values[column.name] for column in self.columns)

    def values(self, row: Model) -> tuple[Any, ...]:
        """``row``'s values in column order, as the statement binds them."""
        return tuple(column.sent(getattr(row, column.name)) for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def _sent_as(field: fields.Field[Any]) -> str:
    for kind, sent_as in _SENT_AS:
        if isinstance(field, kind):
            return sent_as
    raise TypeError(f"no PostgreSQL type for {field!r}: leave it unset")


# The rows webhooks write. What a webhook never sets is left to its default: a message's error
# text and price (read from the API later), its sender and template, a call's placer.
MESSAGES = Table(Message, unset=("error_message", "price", "price_unit", "user_id", "content_sid"))
# The rows the gateway's own sends write: also who sent it and with which template.
OUTBOUND_MESSAGES = Table(Message, unset=("error_message", "price", "price_unit"))
# Every column: a call's placer and refusal are written when the voice webhook stores a browser
# call, its price and times when a callback creates it.
CALLS = Table(Call)
