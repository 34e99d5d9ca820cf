"""Plain leaf fields (an attribute holding a scalar or an enum) completed without graphql-core's
per-field machinery.

graphql-core executes every field the same way: it builds a resolve info (strawberry's: a
16-item tuple), looks for arguments, calls the resolver (strawberry's basic-field wrapper,
then ``StrawberryField.get_result``, then ``getattr``), checks for an awaitable twice and
walks ``complete_value``. A page of 50 threads has about 700 such leaves, and this was most of
the time graphql-core spent on it (bench/queries.py). For a field strawberry itself treats as
basic (no resolver, no field extension, no argument: ``StrawberryField.is_basic_field``) whose
type is a scalar or an enum, :class:`PlainLeafFields` reads the attribute and coerces it as
``complete_leaf_value`` would. Anything else (a null for a non-null field, a value the scalar
refuses, an awaitable, any exception, a schema extension with a ``resolve`` hook) goes the
ordinary way, which then answers exactly as before (its error, its path).
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Per parent type and field name: (attribute, leaf type, nullable), or None for the usual way.
Plan = tuple[str, GraphQLLeafType, bool] | None
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], Plan]] = WeakKeyDictionary()


def plan_of(field: GraphQLField) -> Plan:
    """How to complete ``field`` without its resolver, if it is a plain leaf."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if field.args or field.subscribe is not None:
        return None
    if not getattr(field.resolve, "_is_default", False):
        return None  # strawberry wrapped it (an exception handler for its type, say)
    if definition.default_resolver is not getattr:
        return None  # the schema reads its values its own way (StrawberryConfig)
    field_type = field.type
    nullable = not isinstance(field_type, GraphQLNonNull)
    leaf = field_type if nullable else field_type.of_type
    if not is_leaf_type(leaf):
        return None
    return definition.python_name, leaf, nullable  # type: ignore[return-value]


class PlainLeafFields(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with the fast path above for plain leaf fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The schema's plans, looked up once per operation rather than once per field.
        self._plain_plans = _PLANS.setdefault(self.schema, {})

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        if not (manager and manager.middlewares):
            plans = self._plain_plans
            field_name = field_details_list[0].node.name.value
            key = (parent_type.name, field_name)
            try:
                plan = plans[key]
            except KeyError:
                field = self.schema.get_field(parent_type, field_name)
                plan = plans[key] = plan_of(field) if field is not None else None
            if plan is not None:
                attribute, leaf, nullable = plan
                try:
                    value = getattr(source, attribute)
                    if value is None:
                        if nullable:
                            return None
                    else:
                        coerced = leaf.coerce_output_value(value)
                        if coerced is not None and coerced is not Undefined:
                            return coerced
                except Exception:  # noqa: S110 - answered by the usual way below
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
