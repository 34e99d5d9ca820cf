"""The process-wide parts every request, webhook and subscription shares: the composition root.

Only the edges (the GraphQL endpoint, the webhook routes, health) and ``app.py`` hold the whole
:class:`Gateway`; each service is handed the part it uses (``accounts``, ``tenants``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from trunkline.activity import (
    ActivityKind,
    ActivityNotice,
    CallSnapshot,
    MessageSnapshot,
    RecordingSnapshot,
    activity_publisher,
)
from trunkline.activity.outcomes import MessageOutcomes
from trunkline.auth.tokens import TokenVerifier
from trunkline.events import Bus, create_bus
from trunkline.events.probe import BusLagProbe
from trunkline.ingestion.calls import RecordingIngestion, RecordingUpdate
from trunkline.ingestion.outbound_calls import OutboundCallIngestion
from trunkline.ingestion.outbound_messages import OutboundMessageIngestion
from trunkline.ingestion.writer import IngestionWriter
from trunkline.metrics import BoundedLabels
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.calling import PlacedCall
from trunkline.services.health import HealthLog
from trunkline.services.health_records import health_records
from trunkline.services.lookups import RecentLookups, revocation_channel_name
from trunkline.services.media_links import MediaLinks
from trunkline.services.prices import Prices
from trunkline.services.rate_limits import RateLimits
from trunkline.services.retention import Retention, RetentionPolicy
from trunkline.services.secrets import secret_box
from trunkline.services.sending import SentMessage
from trunkline.services.tenants import KnownTenants
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients
from trunkline.twilio.media import MediaFetcher


@dataclass
class Gateway:
    """Built once per process by ``create_app``; nothing in it is per-tenant state that another
    instance would need (the client cache only saves reconnecting; the webhook look-ups are
    revoked on every instance through the bus; an organization's tenant id never changes)."""

    settings: Settings
    verifier: TokenVerifier
    bus: Bus
    accounts: TwilioAccounts
    # The process's one ingestion writer: webhooks and the gateway's own sends and calls
    # (sendMessage, placeCall) commit through it, so their rows and activity share its batches,
    # order and publisher.
    ingestion: IngestionWriter = field(repr=False)
    # Fetches outbound messages' prices once final, recordings' once ready (Twilio puts them on
    # the resource only).
    prices: Prices = field(repr=False)
    tenants: KnownTenants = field(repr=False)
    media_links: MediaLinks = field(repr=False)
    media: MediaFetcher = field(repr=False)
    # Prunes old webhook receipts and activity, every interval; one process at a time works.
    retention: Retention = field(repr=False)
    # What twilioHealth shows besides Twilio's own answers: last webhook, refusals, last check.
    health: HealthLog = field(repr=False)
    # Counts the costly mutations (in Redis when configured, so across instances).
    rate_limits: RateLimits = field(repr=False)
    # Measures the bus's publish-to-delivery time (trunkline_bus_lag_seconds).
    lag_probe: BusLagProbe = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Gateway:
        bus = create_bus(
            settings.redis_url,
            prefix=settings.bus_prefix,
            queue_size=settings.subscriber_queue_size,
        )
        accounts = TwilioAccounts(
            secrets=secret_box(settings),
            clients=TwilioClients(
                settings.effective_twilio_api_base, timeout=settings.twilio_timeout_seconds
            ),
            lookups=RecentLookups(bus, channel=revocation_channel_name(settings.bus_prefix)),
            public_url=settings.public_url,
        )
        prices = Prices(accounts=accounts)
        publish = activity_publisher(bus, prefix=settings.bus_prefix)
        outcomes = MessageOutcomes(BoundedLabels(settings.metrics_tenant_labels))

        async def announce(notices: Sequence[ActivityNotice]) -> None:
            prices.notice(notices)  # (only queues: never delays the bus)
            outcomes.notice(notices)  # (counts only)
            await publish(notices)

        ingestion = IngestionWriter(
            capacity=settings.ingestion_queue_size,
            max_batch=settings.ingestion_batch_size,
            # Each committed batch's activity goes on the bus after commit, without the requests.
            publish=announce,
        )
        return cls(
            settings=settings,
            verifier=TokenVerifier(settings),
            bus=bus,
            accounts=accounts,
            ingestion=ingestion,
            prices=prices,
            tenants=KnownTenants(),
            media_links=MediaLinks(
                settings.fernet_keys,
                public_url=settings.public_url,
                ttl_seconds=settings.media_url_ttl_seconds,
            ),
            media=MediaFetcher(
                api_base=settings.effective_twilio_api_base,
                timeout=settings.media_timeout_seconds,
                max_bytes=settings.media_max_bytes,
            ),
            retention=Retention(
                RetentionPolicy(
                    receipt_retention=timedelta(hours=settings.receipt_retention_hours),
                    activity_days=settings.activity_retention_days,
                    batch_size=settings.retention_batch_size,
                ),
                interval_seconds=settings.retention_interval_seconds,
            ),
            health=HealthLog(health_records(settings.redis_url, prefix=settings.bus_prefix)),
            rate_limits=RateLimits.from_settings(settings),
            lag_probe=BusLagProbe(
                bus, prefix=settings.bus_prefix, interval=settings.metrics_bus_probe_seconds
            ),
        )

    async def record_sent(
        self, tenant_id: int, message: SentMessage, claim_id: int | None
    ) -> MessageSnapshot | None:
        """Store a message this gateway sent and announce it (``services.sending.Record``)."""
        ingested = await self.ingestion.ingest(
            OutboundMessageIngestion.of(tenant_id=tenant_id, message=message, claim_id=claim_id)
        )
        for notice in ingested.notices:
            if notice.kind == ActivityKind.MESSAGE_SENT and isinstance(
                notice.snapshot, MessageSnapshot
            ):
                return notice.snapshot
        return None

    async def record_recording_deleted(
        self, tenant_id: int, sid: str, call_sid: str
    ) -> RecordingSnapshot | None:
        """Mark a recording deleted and announce it (``services.recordings.RecordDeletion``)."""
        ingested = await self.ingestion.ingest(
            RecordingIngestion(
                tenant_id=tenant_id,
                # Its own receipt namespace: no webhook's key can take it for a redelivery.
                idempotency_key=f"recording-deleted:{sid}",
                update=RecordingUpdate(sid=sid, call_sid=call_sid, status="deleted"),
            )
        )
        for notice in ingested.notices:
            if isinstance(notice.snapshot, RecordingSnapshot):
                return notice.snapshot
        return None

    async def record_placed(
        self, tenant_id: int, call: PlacedCall, claim_id: int | None
    ) -> CallSnapshot | None:
        """Store a call this gateway placed and announce it (``services.calling.Record``)."""
        ingested = await self.ingestion.ingest(
            OutboundCallIngestion.of(tenant_id=tenant_id, call=call, claim_id=claim_id)
        )
        for notice in ingested.notices:
            if isinstance(notice.snapshot, CallSnapshot):
                return notice.snapshot
        return None

    async def start(self) -> None:
        # The revocation channel is subscribed first, so the bus takes it on connecting.
        await self.accounts.lookups.start()
        await self.bus.start()
        self.prices.start()
        self.retention.start()

        self.lag_probe.start()

    async def aclose(self) -> None:
        # First: a run in progress ends, and unlocks, while the database is still open.
        await self.retention.stop()
        await self.lag_probe.stop()
        await self.media.aclose()
        await self.health.records.aclose()
        await self.rate_limits.aclose()
        await self.prices.stop()
        await self.accounts.clients.aclose()
        await self.bus.close()
        await self.accounts.lookups.stop()  # after the bus: leaving its channel then costs nothing
