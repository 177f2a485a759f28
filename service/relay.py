"""``python -m service.relay``: only the outbox relay, until SIGTERM or SIGINT.

For operators (drain the outbox without serving requests, or run extra relays) and for the
crash tests. Same settings as the service (``ACCOUNTS_*``); several may run at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from service.core.database import connect, init_database
from service.core.relay import OutboxRelay
from service.core.security import DataCipher
from service.core.settings import ConfigurationError, load_settings

logger = logging.getLogger("service.relay")


async def run_relay() -> None:
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(f"accounts-relay: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    client = connect(settings)
    try:
        await init_database(client, settings)
        relay = OutboxRelay(
            settings,
            DataCipher(settings.encryption_key),
            database=client[settings.mongodb_database],
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await relay.start()
        logger.info("relay %s running on %s", relay.owner, settings.mongodb_database)
        await stop.wait()
        await relay.stop()
        logger.info("relay %s stopped", relay.owner)
    finally:
        await client.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(run_relay())


if __name__ == "__main__":
    main()
