"""Every Prometheus metric the gateway exports, in one place; served at ``GET /metrics``.

Names start with ``trunkline_``. Labels hold only bounded values the gateway chose (a route's
name, an outcome from a fixed list, an operation name or tenant id past :class:`BoundedLabels`),
never a secret, an address or anything a client typed freely.

Single process: the metrics live in ``prometheus_client``'s default registry. Under
``trunkline serve --workers N``, ``serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers
start, so each worker writes its values to files there and ``/metrics`` (served by whichever
worker the request reaches) adds up every worker's (:func:`registry`). Gauges say how they
combine: ``livesum`` adds the values of the workers still alive.

This module is at the bottom of the layers: anything may import it, it imports nothing of ours.
"""

from __future__ import annotations

import os
import threading
from contextvars import ContextVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.registry import REGISTRY

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
OTHER = "other"

# Latencies of requests answered in-process: a millisecond to ten seconds (the Twilio timeout).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Webhooks per committed batch: powers of two up to the default batch size (256).
BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


class BoundedLabels:
    """Label values chosen by traffic (tenants, operation names), at most ``limit`` of them.

    The first ``limit`` distinct values seen keep their own label value; every later one is
    counted under ``"other"``, so a flood of tenants or of made-up operation names cannot
    grow the series (and the scrape, and Prometheus's memory) without bound. Which values keep
    theirs depends on the order traffic arrived since the process started; each worker process
    decides on its own, so a scrape of N workers holds at most N x ``limit`` values. Owned by
    whatever labels with it (built from settings), not a module global.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        if value in self._known:
            return value  # the common case: no lock, one set look-up
        with self._lock:
            if value in self._known:
                return value
            if len(self._known) >= self.limit:
                return OTHER
            self._known.add(value)
            return value


# --- GraphQL -------------------------------------------------------------------------------

GRAPHQL_OPERATIONS = Counter(
    "trunkline_graphql_operations",
    "GraphQL queries and mutations, by operation name and outcome (ok, typed_error, "
    "BAD_USER_INPUT, FORBIDDEN, UNAUTHENTICATED, invalid, error).",
    ["operation", "outcome"],
)
GRAPHQL_DURATION = Histogram(
    "trunkline_graphql_operation_duration_seconds",
    "Time to answer a GraphQL query or mutation (parse, validate, execute).",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
GRAPHQL_SUBSCRIPTIONS = Gauge(
    "trunkline_graphql_subscriptions",
    "Live GraphQL subscriptions (subscribers) held by the gateway.",
    multiprocess_mode="livesum",
)

# --- Webhooks ------------------------------------------------------------------------------

WEBHOOKS = Counter(
    "trunkline_webhooks",
    "Provider webhooks by route and outcome: stored, duplicate, answered (nothing to store), "
    "refused:<reason> (bad_signature, unknown_account, foreign_number: 403), malformed (400), "
    "overloaded (503, queue full), failed (503, not stored).",
    ["route", "outcome"],
)
WEBHOOK_DURATION = Histogram(
    "trunkline_webhook_duration_seconds",
    "Time to answer a webhook, from its body read to its answer (storing included).",
    ["route"],
    buckets=LATENCY_BUCKETS,
)

# --- Ingestion -----------------------------------------------------------------------------

INGESTION_QUEUE_DEPTH = Gauge(
    "trunkline_ingestion_queue_depth",
    "Verified webhooks waiting for the next batch to be stored.",
    multiprocess_mode="livesum",
)
INGESTION_BATCH_SIZE = Histogram(
    "trunkline_ingestion_batch_size",
    "Deliveries stored per transaction (group commit).",
    buckets=BATCH_SIZE_BUCKETS,
)
INGESTION_BATCH_DURATION = Histogram(
    "trunkline_ingestion_batch_duration_seconds",
    "Time to write and commit one batch.",
    buckets=LATENCY_BUCKETS,
)

# --- Bus -----------------------------------------------------------------------------------

BUS_RECONNECTS = Counter(
    "trunkline_bus_reconnects", "Times the Redis bus listener reconnected after losing Redis."
)
BUS_DROPPED_SUBSCRIBERS = Counter(
    "trunkline_bus_dropped_subscribers",
    "Subscribers dropped for falling too far behind (their clients backfill from the log).",
)
BUS_LAG = Histogram(
    "trunkline_bus_lag_seconds",
    "Publish-to-delivery time of a probe message each process sends itself through the bus "
    "every few seconds (it queues behind real traffic on the same connection).",
    buckets=LATENCY_BUCKETS,
)

# --- Twilio --------------------------------------------------------------------------------

TWILIO_CLIENT_CACHE = Counter(
    "trunkline_twilio_client_cache",
    "Look-ups of a tenant's Twilio client: hit (reused) or miss (built: first use, or "
    "credentials changed).",
    ["result"],
)
CREDENTIAL_VALIDATION_DURATION = Histogram(
    "trunkline_twilio_credential_validation_seconds",
    "Time Twilio took to answer saveTwilioCredentials's check, by outcome: accepted, refused "
    "(Twilio said no, or could not be reached in time), error.",
    ["outcome"],
    buckets=LATENCY_BUCKETS,
)
MESSAGES_FINAL = Counter(
    "trunkline_messages_final",
    "Outbound messages reaching a final status (delivered, undelivered, failed), per tenant "
    "id (bounded: later tenants count as 'other'). Success rate: delivered / all.",
    ["tenant", "status"],
)


def multiprocess_dir() -> str | None:
    """Where worker processes write their values, when ``serve`` runs several."""
    return os.environ.get(MULTIPROC_DIR_VARIABLE) or None


def registry() -> CollectorRegistry:
    """What ``/metrics`` serves: every worker's values added up, or this process's own."""
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    aggregated = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(aggregated, path=directory)
    return aggregated


def mark_process_dead(pid: int) -> None:
    """Forget a worker's live gauges (``livesum``) once it has ended; a no-op in one process."""
    directory = multiprocess_dir()
    if directory is not None:
        prometheus_multiprocess.mark_process_dead(pid, path=directory)


# --- Typed errors of the running operation --------------------------------------------------

# The codes of the typed errors (a mutation's error results) the current GraphQL operation
# returned. They are values in the response, not errors, so the operation's observer learns of
# them from the one place that builds them (``schema.errors.error_result``).
_typed_errors: ContextVar[list[str] | None] = ContextVar("trunkline_typed_errors", default=None)


def watch_typed_errors() -> list[str]:
    """Collect the typed errors returned from here on in this task (one GraphQL operation)."""
    codes: list[str] = []
    _typed_errors.set(codes)
    return codes


def note_typed_error(code: str) -> None:
    """Record that the running operation answers a typed error with ``code``."""
    codes = _typed_errors.get()
    if codes is not None:
        codes.append(code)
