"""Label values chosen by traffic stay bounded; an operation's outcome is read from its answer."""

from __future__ import annotations

from graphql import GraphQLError
from prometheus_client import REGISTRY
from strawberry.types import ExecutionResult

from trunkline.activity import ActivityKind, ActivityNotice, MessageSnapshot
from trunkline.activity.outcomes import MessageOutcomes
from trunkline.graphql.limits import MASKED_MESSAGE
from trunkline.graphql.operations import outcome_of
from trunkline.metrics import OTHER, BoundedLabels
from trunkline.models import Channel, Direction


def test_the_first_values_keep_their_label_and_later_ones_are_other() -> None:
    labels = BoundedLabels(2)

    seen = [labels(value) for value in ["a", "b", "c", "a", "d", "b"]]

    assert seen == ["a", "b", OTHER, "a", OTHER, "b"]


def test_no_label_of_its_own_when_the_bound_is_zero() -> None:
    assert BoundedLabels(0)("a") == OTHER


def _final(tenant_id: int, status: str, *, seq: int) -> ActivityNotice:
    snapshot = MessageSnapshot(
        id=seq,
        sid=f"SM{seq:032d}",
        channel=Channel.SMS,
        direction=Direction.OUTBOUND,
        from_address="+14155550100",
        to_address="+14155550199",
        body="",
        media_urls=(),
        status=status,
        error_code=None,
        number_id=None,
        created_at=None,
    )
    return ActivityNotice(
        tenant_id=tenant_id,
        seq=seq,
        kind=ActivityKind.MESSAGE_STATUS.value,
        entity_type="message",
        entity_id=seq,
        number_id=None,
        snapshot=snapshot,
    )


def _count(tenant: str, status: str) -> float:
    labels = {"tenant": tenant, "status": status}
    return REGISTRY.get_sample_value("trunkline_messages_final_total", labels) or 0.0


def test_final_statuses_count_per_tenant_and_tenants_past_the_bound_as_other() -> None:
    outcomes = MessageOutcomes(BoundedLabels(1))
    first, second = 900_000_001, 900_000_002
    before = (_count(str(first), "delivered"), _count(OTHER, "failed"), _count(OTHER, "sent"))

    outcomes.notice(
        [
            _final(first, "delivered", seq=1),
            _final(second, "failed", seq=1),
            _final(first, "sent", seq=2),  # not final: not counted
        ]
    )

    after = (_count(str(first), "delivered"), _count(OTHER, "failed"), _count(OTHER, "sent"))
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 0]
    assert _count(str(second), "failed") == 0


def test_an_answer_without_errors_is_ok_or_its_first_typed_error() -> None:
    answer = ExecutionResult(data={"x": 1}, errors=None)

    assert outcome_of(answer, []) == "ok"
    assert outcome_of(answer, ["BAD_USER_INPUT", "NOT_FOUND"]) == "BAD_USER_INPUT"
    assert outcome_of(answer, ["PROVIDER_ERROR"]) == "typed_error"


def test_an_answer_with_errors_is_read_from_its_first() -> None:
    def answer(error: GraphQLError) -> ExecutionResult:
        return ExecutionResult(data=None, errors=[error])

    forbidden = GraphQLError("no", extensions={"code": "FORBIDDEN"})
    not_found = GraphQLError("absent", extensions={"code": "NOT_FOUND"})
    masked = GraphQLError(MASKED_MESSAGE)
    unexpected = GraphQLError("boom", original_error=RuntimeError("boom"))
    syntax = GraphQLError("Syntax Error: Expected Name")

    assert outcome_of(answer(forbidden), []) == "FORBIDDEN"
    assert outcome_of(answer(not_found), []) == "typed_error"
    assert outcome_of(answer(masked), []) == "error"
    assert outcome_of(answer(unexpected), []) == "error"
    assert outcome_of(answer(syntax), ["BAD_USER_INPUT"]) == "invalid"
