"""The transport: the bus (Redis pub/sub, in-process), fan-out to bounded subscriber queues, and
each channel's messages put in order once per process. It knows nothing of what it carries: the
layers above name their channels and pass in how a channel's messages are ordered."""

from trunkline.events.bus import Bus, BusUnavailable, InProcessBus, RedisBus, create_bus
from trunkline.events.fanout import (
    RESYNC,
    Fanout,
    StreamExpired,
    SubscriberDropped,
    Subscription,
)
from trunkline.events.ordering import Sequencer
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
