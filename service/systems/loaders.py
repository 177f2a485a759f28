"""Per-request DataLoader of systems (Account.system, SystemPermission.system)."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from service.core.graphql import RequestContext
from service.systems import service
from service.systems.documents import System


def system_loader(context: RequestContext) -> DataLoader[str, System | None]:
    async def load(ids: list[str]) -> list[System | None]:
        caller = await context.caller()
        return await service.systems_by_ids(caller=caller, ids=ids)

    return context.loader("systems", lambda: DataLoader(load_fn=load))
