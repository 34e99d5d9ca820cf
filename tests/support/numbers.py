"""Numbers for test tenants: every test's sandbox offers the same catalogue, one database holds all.

One Twilio never sells a number twice, but two sandboxes do; a number two tenants of the test
database hold resolves a webhook sent without its AccountSid to nobody. Test tenants therefore
take a number no other tenant holds, picked at random so tenants spread over the catalogue.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from trunkline.models import NumberStatus, PhoneNumber


async def unheld(offered: Sequence[str]) -> list[str]:
    """``offered`` less the numbers a tenant of this database holds, shuffled."""
    held = set(
        await PhoneNumber.filter(phone_number__in=list(offered))
        .exclude(status=NumberStatus.RELEASED)
        .values_list("phone_number", flat=True)
    )
    free = [number for number in offered if number not in held]
    assert free, f"all {len(offered)} offered numbers are held"
    random.shuffle(free)
    return free
