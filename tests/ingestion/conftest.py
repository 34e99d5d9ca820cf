"""The ingestion tests' tenant: one of the test's own, with one number."""

from __future__ import annotations

import uuid

import pytest

from trunkline.models import PhoneNumber, Tenant


@pytest.fixture
async def number(gateway: str) -> PhoneNumber:
    """A tenant of the test's own with one number (the gateway fixture has opened the database)."""
    tenant = await Tenant.create(org_id=f"org_{uuid.uuid4().hex[:12]}")
    return await PhoneNumber.create(
        tenant=tenant,
        sid="PN" + uuid.uuid4().hex,
        phone_number=f"+1555{uuid.uuid4().int % 10**7:07d}",
    )
