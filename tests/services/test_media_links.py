"""Signed media links: what verifies, what does not, and key rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from trunkline.services.media_links import MediaKind, MediaLink, MediaLinks

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
NOW = 1_800_000_000
LINK = MediaLink(MediaKind.MESSAGE, tenant_id=7, entity_id=41, index=2, expires=NOW + 900)


def signer(*keys: str, ttl: int = 900) -> MediaLinks:
    return MediaLinks(list(keys), public_url="https://gw.example/", ttl_seconds=ttl)


def test_a_signed_link_verifies_to_what_it_grants_until_it_expires() -> None:
    links = signer(NEW)

    token = links.token(LINK)

    assert links.url(LINK) == f"https://gw.example/media/{token}"
    assert token.startswith("m.7.41.2.1800000900.")
    assert links.verify(token, now=NOW) == LINK
    assert links.verify(token, now=LINK.expires - 1) == LINK
    assert links.verify(token, now=LINK.expires) is None


def test_the_expiry_is_now_plus_the_ttl() -> None:
    assert signer(NEW, ttl=60).expiry(now=NOW) == NOW + 60


def test_after_a_rotation_the_newest_key_signs_and_every_configured_key_verifies() -> None:
    before = signer(OLD).token(LINK)
    rotated = signer(NEW, OLD)

    after = rotated.token(LINK)

    assert after == signer(NEW).token(LINK) != before
    assert rotated.verify(before, now=NOW) == LINK
    assert rotated.verify(after, now=NOW) == LINK
    assert signer(NEW).verify(before, now=NOW) is None  # the old key removed: its links die


def test_the_raw_encryption_key_never_signs() -> None:
    token = signer(NEW).token(LINK)
    raw = hmac.new(base64.urlsafe_b64decode(NEW), LINK.payload().encode(), hashlib.sha256)

    assert token.rsplit(".", 1)[1] != base64.urlsafe_b64encode(raw.digest()).rstrip(b"=").decode()


def test_any_change_to_any_part_fails_verification() -> None:
    links = signer(NEW)
    token = links.token(LINK)
    parts = token.split(".")

    for position in range(len(parts)):
        for replacement in ("1", "0", "r", "9" * 19, parts[position] + "0", ""):
            changed = parts.copy()
            if changed[position] == replacement:
                continue
            changed[position] = replacement
            assert links.verify(".".join(changed), now=NOW) is None, (position, replacement)


@given(st.text(max_size=200))
def test_verify_never_raises_and_grants_nothing_for_arbitrary_text(token: str) -> None:
    assert signer(NEW).verify(token, now=NOW) is None


@given(
    tenant=st.integers(1, 2**63 - 1),
    entity=st.integers(1, 2**63 - 1),
    index=st.integers(0, 99),
)
def test_every_link_the_api_can_name_round_trips(tenant: int, entity: int, index: int) -> None:
    link = MediaLink(MediaKind.MESSAGE, tenant, entity, index, NOW + 1)
    links = signer(NEW)

    assert links.verify(links.token(link), now=NOW) == link
