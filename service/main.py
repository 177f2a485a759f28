"""``python -m service.main``: serve the API with uvicorn (what ``make run`` starts)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

import uvicorn

from service.app import bootstrap_report, create_app
from service.core.settings import ConfigurationError, load_settings


async def _serve() -> None:
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(f"accounts-service: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    app = create_app(settings)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn offers no event
        await asyncio.sleep(0.05)
    if server.started:
        base = f"http://{settings.host}:{settings.port}"
        lines = [
            f"REST:     {base}/accounts/auth  (OpenAPI: {base}/docs)",
            f"GraphQL:  {base}/graphql",
            f"Health:   {base}/health/ready",
        ]
        report = bootstrap_report(app)
        if report.generated_password:
            lines.append(
                f"SuperUser created: username {report.username!r}, "
                f"password {report.generated_password!r} (shown once; change it)"
            )
        print("\n".join(lines), flush=True)
    await task


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve())


if __name__ == "__main__":
    main()
