"""The running sandbox: its state, clock, webhook sender and the background work it owns."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from trunkline.sandbox.clock import StepClock
from trunkline.sandbox.sessions import CallSession
from trunkline.sandbox.store import SandboxStore
from trunkline.sandbox.webhooks import WebhookSender
from trunkline.sandbox.wire import API_HOST

logger = logging.getLogger(__name__)

# What picks up, at start, work the last shutdown interrupted (messages mid-progress, calls
# mid-TwiML). Given by whoever builds the sandbox (trunkline.sandbox.app), so that the runtime,
# which every simulation imports, imports none of them.
Resume = Callable[["Sandbox"], None]


class Sandbox:
    """One simulated carrier. Background work (status progressions, webhooks) runs as tasks it
    owns, so :meth:`close` can cancel all of it.

    Args:
        step_seconds: pace of simulated progress (see :class:`StepClock`); 0 for tests.
        state_path: JSON file to persist state in; None keeps it in memory.
        callback_timeout: default connect/read timeout of webhooks, in seconds.
        public_url: absolute URL the sandbox is reachable at (e.g. ``http://127.0.0.1:8000/sandbox``);
            recording media URLs point there. None points them at Twilio's host, as Twilio does.
        resume: run at start, in order, on state a restart left (see :data:`Resume`).
    """

    def __init__(
        self,
        *,
        step_seconds: float = 1.0,
        state_path: Path | None = None,
        callback_timeout: float = 5.0,
        public_url: str | None = None,
        resume: Sequence[Resume] = (),
    ) -> None:
        self.store = SandboxStore(state_path)
        self.clock = StepClock(step_seconds)
        self.webhooks = WebhookSender(timeout=callback_timeout)
        self.media_base = f"{public_url.rstrip('/')}/twilio/api" if public_url else API_HOST
        self.live_calls: dict[str, CallSession] = {}
        # Voice SDK client identities that do not answer (the control API's); the rest answer
        # after a short ring. Not persisted: a restart finds every client available again.
        self.unavailable_clients: set[str] = set()
        self._resume = tuple(resume)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = False
        self._closing = False

    async def start(self) -> None:
        """Open the webhook client and resume progress interrupted by the last shutdown."""
        if self._started:
            return
        self._started = True
        self._closing = False
        await self.webhooks.start()
        for resume in self._resume:
            resume(self)

    async def close(self) -> None:
        """Cancel all background work, wait for it to stop, save state and close the client."""
        self._closing = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.live_calls.clear()
        self.store.save()
        await self.webhooks.close()
        self._started = False

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def pending(self) -> int:
        """How many background tasks are still running."""
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run ``work`` in the background, owned by this sandbox; failures are logged."""
        if self._closing:
            work.close()
            raise RuntimeError("the sandbox is shutting down")
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("sandbox task %s failed", task.get_name(), exc_info=task.exception())
