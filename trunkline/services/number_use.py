"""Who may use which of a tenant's numbers to reach someone: send a message, place a call.

The one home of the rule ``sendMessage``, ``placeCall`` and ``hangupCall`` share (document 003's
"User owns the phone number before making calls"): admins use any of the tenant's numbers,
everyone else the numbers assigned to them. A number the caller may not use is as absent as one
that does not exist (PHONE_NUMBER_NOT_FOUND, no existence oracle), and that is decided before
anything else about the request; only then is its status checked (INACTIVE_NUMBER).

The browser-call webhook has no principal, only the grant ``createVoiceAccessToken`` recorded
(a user id and whether that user is an admin): :func:`may_use` takes exactly that.
"""

from __future__ import annotations

from trunkline.auth.principal import Principal, Role
from trunkline.models import NumberStatus, PhoneNumber
from trunkline.services.errors import InactiveNumber, PhoneNumberNotFound


def may_use(number: PhoneNumber, *, user_id: str, admin: bool) -> bool:
    """Whether the user ``user_id`` (an admin of the number's tenant, or not) may use ``number``.

    Its status is not considered: whether it can be used *now* is :func:`active_number`'s. An
    unassigned number (no owner, or an empty one) is the admins' alone.
    """
    return admin or (bool(number.owner_id) and number.owner_id == user_id)


def principal_may_use(number: PhoneNumber, principal: Principal) -> bool:
    """:func:`may_use` for a verified caller."""
    return may_use(number, user_id=principal.user_id, admin=principal.has_role(Role.ADMIN))


async def usable_number(*, tenant_id: int, principal: Principal, number_id: int) -> PhoneNumber:
    """The tenant's number ``number_id``, if ``principal`` may use it (whatever its status).

    Raises:
        PhoneNumberNotFound: no such number in the tenant, or not the caller's to use.
    """
    number = await PhoneNumber.get_or_none(id=number_id, tenant_id=tenant_id)
    if number is None or not principal_may_use(number, principal):
        raise PhoneNumberNotFound()
    return number


async def active_number(
    *, tenant_id: int, principal: Principal, number_id: int, action: str
) -> PhoneNumber:
    """:func:`usable_number`, which must also be ACTIVE to ``action`` ("send", "place calls").

    Raises:
        PhoneNumberNotFound: no such number in the tenant, or not the caller's to use (checked
            first: an inactive number of someone else's is not found, not inactive).
        InactiveNumber: the number is INACTIVE or RELEASED.
    """
    number = await usable_number(tenant_id=tenant_id, principal=principal, number_id=number_id)
    if number.status is not NumberStatus.ACTIVE:
        raise InactiveNumber(f"The number is {number.status.value} and cannot {action}.")
    return number
