"""The transport: the bus (Redis pub/sub, in-process), fan-out to bounded subscriber queues, and
each channel's messages put in order once per process. It knows nothing of what it carries: the
layers above name their channels and pass in how a channel's messages are ordered."""

from trunkline.events.bus import DEFAULT_QUEUE_SIZE, Bus, BusUnavailable, InProcessBus
from trunkline.events.fanout import (
    RESYNC,
    Fanout,
    StreamExpired,
    SubscriberDropped,
    Subscription,
)
from trunkline.events.ordering import Sequencer
from trunkline.events.redis_bus import RedisBus
from trunkline.events.shared import SharedMessage

__all__ = [
    "RESYNC",
    "Bus",
    "BusUnavailable",
    "Fanout",
    "InProcessBus",
    "RedisBus",
    "Sequencer",
    "SharedMessage",
    "StreamExpired",
    "SubscriberDropped",
    "Subscription",
    "create_bus",
]


def create_bus(
    redis_url: str, *, prefix: str = "trunkline", queue_size: int = DEFAULT_QUEUE_SIZE
) -> Bus:
    """Redis when a URL is set (events cross instances), else the in-process bus."""
    if redis_url:
        return RedisBus(redis_url, prefix=prefix, queue_size=queue_size)
    return InProcessBus(queue_size=queue_size)
