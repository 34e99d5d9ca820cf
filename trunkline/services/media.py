"""A tenant's media files, opened for a verified media link (see :mod:`.media_links`).

What is fetched comes only from the database: the Twilio media URL stored with the message, at the
link's index (or with the recording, index 0, unless it is deleted), and only when it is a media
URL of the tenant's own Twilio account. A URL from a
request is never fetched, so a link cannot make the gateway fetch anything else on its behalf.
"""

from __future__ import annotations

import logging

from trunkline.models import Message, Recording
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.media_links import MediaKind, MediaLink
from trunkline.services.secrets import SecretUnreadable
from trunkline.twilio.media import MediaDownload, MediaFetcher

logger = logging.getLogger(__name__)


class MediaRefused(Exception):
    """Nothing to serve for this link: no such file of the tenant's, no usable credentials, or a
    stored URL that is not the tenant's Twilio media (the edge answers all alike)."""


async def open_media(
    *, accounts: TwilioAccounts, fetcher: MediaFetcher, link: MediaLink
) -> MediaDownload:
    """Start downloading the file ``link`` grants, with the tenant's Twilio credentials.

    Raises:
        MediaRefused: see the class.
        MediaGone, MediaUnavailable: from the download (:mod:`trunkline.twilio.media`).
    """
    url = await _stored_url(link)
    if url is None:
        raise MediaRefused("no such file")
    try:
        account = await accounts.for_tenant(link.tenant_id)
    except SecretUnreadable:
        logger.warning("tenant %s: Twilio credentials do not decrypt", link.tenant_id)
        raise MediaRefused("credentials unreadable") from None
    if account is None or not account.enabled:
        raise MediaRefused("Twilio is not configured")
    if not fetcher.is_account_media(url, account.account_sid):
        # Stored from a webhook Twilio signed, so this should not happen: refuse, and say so.
        logger.warning(
            "tenant %s: %s %s media %s is not the account's Twilio media; not fetched",
            link.tenant_id,
            link.kind.name.lower(),
            link.entity_id,
            link.index,
        )
        raise MediaRefused("not the account's media")
    return await fetcher.open(url, account_sid=account.account_sid, auth_token=account.auth_token)


async def _stored_url(link: MediaLink) -> str | None:
    if link.kind is MediaKind.RECORDING:
        return await _recording_url(link)
    if link.kind is not MediaKind.MESSAGE:
        return None
    media = (
        await Message.filter(tenant_id=link.tenant_id, id=link.entity_id)
        .limit(1)
        .values_list("media", flat=True)
    )
    items = media[0] if media else None
    if not isinstance(items, list) or link.index >= len(items):
        return None
    item = items[link.index]
    url = item.get("url") if isinstance(item, dict) else None
    return url if isinstance(url, str) else None


async def _recording_url(link: MediaLink) -> str | None:
    """The audio URL of a recording not deleted (a link signed before its deletion serves
    nothing: the 403 of any link to nothing)."""
    if link.index != 0:
        return None
    urls = (
        await Recording.filter(tenant_id=link.tenant_id, id=link.entity_id)
        .exclude(status="deleted")
        .limit(1)
        .values_list("media_url", flat=True)
    )
    url = urls[0] if urls else None
    return url if isinstance(url, str) and url else None
