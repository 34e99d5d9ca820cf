"""Variables graphql-core refuses: answered BAD_USER_INPUT naming the field, never echoing values.

graphql-core words a refused variable with the value it was given (``..., found: {'authToken':
'…', 'apiKeySecret': '…'}``), and strawberry logs that error before any extension can mask it:
a credentials input missing one field would put its secrets in the response and the log. So
the variables are checked here first, and a refusal ends the operation with errors of our own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLInputType,
    OperationDefinitionNode,
    Undefined,
    get_operation_ast,
    type_from_ast,
)
from graphql.utilities import coerce_input_value, validate_input_value
from strawberry.extensions import SchemaExtension

from trunkline.services.errors import ErrorCode

# Where graphql-core's reason starts quoting the value: "..., found: {...}", "... Found: ...",
# "String cannot represent a non string value: 42". Everything from there on is dropped.
_VALUE_QUOTED = re.compile(r"(?:[,;]\s*found|\s*Found)?: ")
_FIELD_NAMED = re.compile(r"field '(?P<name>[^']+)'")


class RefusedVariablesWithoutValues(SchemaExtension):
    """Check the operation's variables before executing it; refuse them without their values.

    Args:
        suggest: add graphql-core's "Did you mean" (development only: it names the schema's
            enum values and input fields to anyone who asks).
    """

    def __init__(self, *, suggest: bool = False) -> None:
        super().__init__()
        self.suggest = suggest

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        if operation is not None and operation.variable_definitions:
            errors = _refusals(
                context.schema._schema, operation, context.variables or {}, suggest=self.suggest
            )
            if errors:
                # Set before execution: strawberry then neither executes nor logs graphql-core's
                # own wording of these errors.
                context.result = ExecutionResult(data=None, errors=errors)
        yield


def _refusals(
    schema: object,
    operation: OperationDefinitionNode,
    variables: dict[str, object],
    *,
    suggest: bool,
) -> list[GraphQLError]:
    errors: list[GraphQLError] = []
    for definition in operation.variable_definitions:
        name = definition.variable.name.value
        value = variables.get(name, Undefined)
        type_ = type_from_ast(schema, definition.type)  # type: ignore[arg-type]
        if value is Undefined or type_ is None:
            continue  # graphql-core's own refusal quotes no value: "was not provided"
        input_type: GraphQLInputType = type_  # type: ignore[assignment]
        if coerce_input_value(value, input_type) is not Undefined:
            continue

        def refuse(
            error: GraphQLError, path: list[str | int], name: str = name, node: object = definition
        ) -> None:
            errors.append(_refusal(name, error.message, path, node))

        validate_input_value(value, input_type, refuse, hide_suggestions=not suggest)
    return errors


def _refusal(variable: str, reason: str, path: list[str | int], node: object) -> GraphQLError:
    reason = _VALUE_QUOTED.split(reason, maxsplit=1)[0]
    if not reason.endswith("?"):  # a suggestion ends with its own question mark
        reason = reason.rstrip(".") + "."
    names = [key for key in path if isinstance(key, str)]
    named = _FIELD_NAMED.search(reason)
    field = names[-1] if names else named.group("name") if named else variable
    where = "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in path)
    return GraphQLError(
        f"Variable '${variable}' has an invalid value{' at ' + where if where else ''}: {reason}",
        node,  # type: ignore[arg-type]
        extensions={"code": ErrorCode.BAD_USER_INPUT.value, "field": field},
    )
