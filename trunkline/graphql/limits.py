"""What one GraphQL request may cost, and what an error may reveal."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from trunkline.graphql.error_log import OperationLogFields, is_unexpected, log_errors
from trunkline.graphql.variable_errors import RefusedVariablesWithoutValues
from trunkline.settings import Settings

MASKED_MESSAGE = "Unexpected error."
# How graphql-core starts every suggestion it appends to a message (pyutils.did_you_mean, and
# the scalar-leafs rule's own): unknown fields, arguments, enum values, input fields, types.
SUGGESTION = " Did you mean "
# What HTTP may run: a subscription's resolver is an event stream, not a value.
HTTP_OPERATION_TYPES = frozenset({OperationType.QUERY, OperationType.MUTATION})


class SubscriptionOverHTTPError(InvalidOperationTypeError):
    """A subscription sent over HTTP: strawberry's router answers it 400 with this reason."""

    def __init__(self) -> None:
        super().__init__(OperationType.SUBSCRIPTION)

    def as_http_error_reason(self, method: str) -> str:
        return (
            f"Subscriptions are not served over HTTP {method}: subscribe over WebSocket "
            "(graphql-transport-ws) at the same URL"
        )


class GatewaySchema(strawberry.Schema):
    """strawberry's Schema, revealing less outside development and running no subscription over
    HTTP.

    - With ``disable_field_suggestions`` strawberry strips graphql-core's "Did you mean" from
      unknown *fields* only; here from every error it processes (the same hook, widened), so
      unknown arguments, enum values and input fields, in literals or variables, get none.
      graphql-core could omit them itself (``hide_suggestions``), but strawberry passes no such
      option to its validation or execution.
    - ``process_errors`` logs each error in one line, without the document (see
      :mod:`trunkline.graphql.error_log`).
    - ``execute`` serves queries and mutations only (strawberry's HTTP views allow POSTed
      subscriptions, and executing one as a query fails into a masked error).
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Never strawberry's default, which logs the document around each error.
        log_errors(errors, execution_context)

    @staticmethod
    def remove_field_suggestion(error: GraphQLError) -> None:
        message, suggestion, _ = error.message.partition(SUGGESTION)
        if suggestion:
            error.message = message

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        allowed = HTTP_OPERATION_TYPES.intersection(allowed_operation_types or HTTP_OPERATION_TYPES)
        try:
            return await super().execute(
                query,
                variable_values=variable_values,
                context_value=context_value,
                root_value=root_value,
                operation_name=operation_name,
                allowed_operation_types=allowed,
                operation_extensions=operation_extensions,
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise SubscriptionOverHTTPError from exc
            raise


class MaskUnexpectedErrors(MaskErrors):
    """MaskErrors, without its per-result protocol ``isinstance`` when there is nothing to mask.

    Every subscription event passes through here for every subscriber; the check it skips
    costs more than the rest of the hook.
    """

    def _process_result(self, result: Any) -> None:
        if getattr(result, "errors", None):
            super()._process_result(result)


def schema_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    """Factories: Strawberry builds fresh extension instances for every operation.

    The validation rules are built once per schema, not per operation: the limiters make a new
    rule class each time they are constructed, which would defeat the validation cache (keyed by
    the rules) and leave every live subscription holding classes of its own.
    """
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if not settings.is_development:
        rules.extend(DisableIntrospection().validation_rules)
    return [
        # Shared LRU caches: thousands of subscriptions with the same document share one parse
        # and one validation instead of each keeping its own.
        lambda: ParserCache(maxsize=1024),
        OperationLogFields,
        lambda: ValidationCache(maxsize=1024),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        # A refused variable is answered without its value (it may be a secret).
        lambda: RefusedVariablesWithoutValues(suggest=settings.is_development),
        lambda: MaskUnexpectedErrors(should_mask_error=is_unexpected, error_message=MASKED_MESSAGE),
    ]
