"""The bus (Redis pub/sub, in-process), channel names and activity log replay."""

from trunkline.events.bus import Bus, BusUnavailable, InProcessBus, RedisBus, create_bus
from trunkline.events.fanout import RESYNC, Fanout, SubscriberDropped, Subscription

__all__ = [
    "RESYNC",
    "Bus",
    "BusUnavailable",
    "Fanout",
    "InProcessBus",
    "RedisBus",
    "SubscriberDropped",
    "Subscription",
    "create_bus",
]
