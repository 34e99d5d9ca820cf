"""What one GraphQL request may cost, and what an error may reveal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

from trunkline.settings import Settings

MASKED_MESSAGE = "Unexpected error."


def is_unexpected(error: GraphQLError) -> bool:
    """Mask exceptions of ours that are not GraphQL errors: their text is for the log only.

    Parse and validation errors carry no original error, and the errors we raise on purpose
    (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, ...) are GraphQLErrors: those reach the client.
    """
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


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
        lambda: ValidationCache(maxsize=1024),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: MaskUnexpectedErrors(should_mask_error=is_unexpected, error_message=MASKED_MESSAGE),
    ]
