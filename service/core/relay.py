"""The outbox relay: publishes pending events to Kafka (placeholder until issue 5 lands)."""

from __future__ import annotations

from service.core.security import DataCipher
from service.core.settings import Settings


class OutboxRelay:
    def __init__(self, settings: Settings, cipher: DataCipher) -> None:
        self.settings = settings
        self.cipher = cipher
        self.broker_up = False

    def wake(self) -> None:
        """Ask the relay to look for pending events now."""

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
