"""The bus (Redis pub/sub, in-process), channel names and activity log replay."""

from trunkline.events.bus import Bus, BusUnavailable, InProcessBus, RedisBus, create_bus

__all__ = ["Bus", "BusUnavailable", "InProcessBus", "RedisBus", "create_bus"]
