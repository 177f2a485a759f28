"""Counts the database commands a block of test code causes, on the app's own client.

PyMongo copies globally registered listeners into every client created afterwards; this
module registers one when it is imported, which pytest does while collecting, before the
session's app (and its client) exists. The listener counts only inside ``counting()``, and
only commands started from the task that entered it or tasks it spawned (a ContextVar), so
the outbox relay and other background work on the same client are not counted. The app
itself runs unchanged; the test checks the listener really saw the app's client.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pymongo import monitoring

_ACTIVE: ContextVar[list[str] | None] = ContextVar("counted_commands", default=None)


class CommandCounter(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        names = _ACTIVE.get()
        if names is not None:
            target = event.command.get(event.command_name)
            names.append(f"{event.command_name} {target}" if isinstance(target, str) else
                         event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None


@contextmanager
def counting() -> Iterator[list[str]]:
    """The commands (``"find accounts"``) started inside the block, by this task and its
    children."""
    names: list[str] = []
    token = _ACTIVE.set(names)
    try:
        yield names
    finally:
        _ACTIVE.reset(token)


monitoring.register(CommandCounter())
