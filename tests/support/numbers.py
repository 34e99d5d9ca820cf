"""Numbers for test tenants: every test's sandbox offers the same catalogue, one database holds all.

One Twilio never sells a number twice, but two sandboxes do; a number two tenants of the test
database hold resolves a webhook sent without its AccountSid to nobody. Test tenants therefore
take a number no other tenant holds, picked at random so tenants spread over the catalogue, and
over its US area codes in turn: a suite run buys hundreds, more than one area code's block holds.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable, Sequence

from trunkline.models import NumberStatus, PhoneNumber

# The sandbox catalogue's US local blocks (trunkline/sandbox/catalog.py).
US_AREA_CODES = (
    "415",
    "212",
    "312",
    "512",
    "206",
    "213",
    "617",
    "305",
    "303",
    "404",
    "202",
    "503",
    "615",
)
_area_codes = itertools.cycle(US_AREA_CODES)


def next_area_code() -> str:
    """The next US area code, in turn, for a test that buys a number."""
    return next(_area_codes)


async def unheld(offered: Sequence[str]) -> list[str]:
    """``offered`` less the numbers a tenant of this database holds, shuffled."""
    free = await _free(offered)
    assert free, f"all {len(offered)} offered numbers are held"
    return free


async def unheld_number(offered_in: Callable[[str], Awaitable[Sequence[str]]]) -> str:
    """A number no tenant of this database holds, of the first area code in turn that has one;
    ``offered_in(area_code)`` lists what the carrier offers there."""
    for _ in US_AREA_CODES:
        free = await _free(await offered_in(next_area_code()))
        if free:
            return free[0]
    raise AssertionError(f"every number of area codes {US_AREA_CODES} is held")


async def _free(offered: Sequence[str]) -> list[str]:
    held = set(
        await PhoneNumber.filter(phone_number__in=list(offered))
        .exclude(status=NumberStatus.RELEASED)
        .values_list("phone_number", flat=True)
    )
    free = [number for number in offered if number not in held]
    random.shuffle(free)
    return free
