"""What each GraphQL operation cost and how it ended, as metrics (``trunkline.metrics``).

Queries and mutations: one count by operation name and outcome, one latency observation.
Subscriptions: the live-subscriptions gauge, up while one runs; nothing per event (the extension
is not on the per-event path; a subscription's events pass none of these hooks).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from trunkline import metrics
from trunkline.graphql.limits import MASKED_MESSAGE, is_unexpected

ANONYMOUS = "anonymous"
UNKNOWN = "unknown"
# A GraphQL name, not too long for a label: anything else a client sends as operationName is
# "unknown" (and a document that does not define it is refused anyway).
OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
# Error codes counted under their own name; any other code is an expected, typed failure.
OWN_OUTCOMES = frozenset({"BAD_USER_INPUT", "FORBIDDEN", "UNAUTHENTICATED"})


def operation_metrics(labels: metrics.BoundedLabels) -> Callable[[], SchemaExtension]:
    """The extension's factory; ``labels`` bounds the operation names (one per schema)."""

    def build() -> SchemaExtension:
        return OperationMetrics(labels)

    return build


class OperationMetrics(SchemaExtension):
    """Counts and times each operation; keeps the live-subscriptions gauge."""

    def __init__(self, labels: metrics.BoundedLabels) -> None:
        self.labels = labels
        self.subscribed = False

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        typed_errors = metrics.watch_typed_errors()
        # What ended it, when it did not return: strawberry answers it as an error (a
        # limiter's refusal at parse time is a GraphQLError raised through here).
        failure: BaseException | None = None
        try:
            yield
        except BaseException as exc:
            failure = exc
            raise
        finally:
            if self.subscribed:
                metrics.GRAPHQL_SUBSCRIPTIONS.dec()
            else:
                self._observe(time.perf_counter() - started, typed_errors, failure)

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.operation_type is OperationType.SUBSCRIPTION:
            self.subscribed = True
            metrics.GRAPHQL_SUBSCRIPTIONS.inc()
        yield

    def _observe(
        self, seconds: float, typed_errors: list[str], failure: BaseException | None
    ) -> None:
        name = self._operation_name()
        if failure is None:
            outcome = outcome_of(self.execution_context.result, typed_errors)
        elif isinstance(failure, GraphQLError):
            outcome = _error_outcome(failure)
        else:
            outcome = "error"
        metrics.GRAPHQL_OPERATIONS.labels(name, outcome).inc()
        metrics.GRAPHQL_DURATION.labels(name).observe(seconds)

    def _operation_name(self) -> str:
        try:
            name = self.execution_context.operation_name
        except Exception:  # a document that did not parse names nothing
            return UNKNOWN
        if name is None:
            return ANONYMOUS
        if not OPERATION_NAME.fullmatch(name):
            return UNKNOWN
        return self.labels(name)


def outcome_of(result: ExecutionResult | None, typed_errors: list[str]) -> str:
    """How an operation ended: its first error's code, else its first typed error, else ok."""
    errors = result.errors if result is not None else None
    if errors:
        return _error_outcome(errors[0])
    if typed_errors:
        code = typed_errors[0]
        return code if code in OWN_OUTCOMES else "typed_error"
    return "ok"


def _error_outcome(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code if code in OWN_OUTCOMES else "typed_error"
    if error.message == MASKED_MESSAGE or is_unexpected(error):
        return "error"
    return "invalid"  # refused before it ran: syntax, validation, limits
