"""Who may use which number (services/number_use.py): the rule sendMessage, placeCall, hangupCall
and (through a voice grant's user and admin flag) the browser-call webhook share."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trunkline.auth.principal import Principal, Role
from trunkline.models import PhoneNumber
from trunkline.services.number_use import may_use, principal_may_use

OWNER = "auth0|owner"


def caller(user_id: str, *roles: Role) -> Principal:
    return Principal(
        user_id=user_id, org_id="org_x", roles=frozenset(roles), expires_at=datetime.now(UTC)
    )


@pytest.mark.parametrize(
    ("owner", "user_id", "admin", "expected"),
    [
        (OWNER, OWNER, False, True),  # its agent
        (OWNER, "auth0|other", False, False),  # another agent
        (None, OWNER, False, False),  # unassigned: nobody's but the admins'
        (OWNER, "auth0|other", True, True),  # admins: any
        (None, "auth0|other", True, True),
        ("", "", False, False),  # (no user is the empty string)
    ],
)
def test_a_number_is_its_agents_and_every_admins(
    owner: str | None, user_id: str, admin: bool, expected: bool
) -> None:
    number = PhoneNumber(phone_number="+14155550100", owner_id=owner)

    assert may_use(number, user_id=user_id, admin=admin) is expected


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        (caller(OWNER), True),
        (caller("auth0|other"), False),
        (caller("auth0|other", Role.SUPPORT), False),
        (caller("auth0|other", Role.ADMIN), True),
    ],
)
def test_a_principal_is_an_admin_by_role(principal: Principal, expected: bool) -> None:
    number = PhoneNumber(phone_number="+14155550100", owner_id=OWNER)

    assert principal_may_use(number, principal) is expected
