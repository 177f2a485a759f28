"""Route permissions checked before FastAPI parses a body or query, so that a caller without
the route's permission gets 403 before a malformed request's 422 (the contract's order).
The service functions check the same again; GraphQL relies on that."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from rest_compat.dependencies import CallerDep
from service.accounts.documents import PermissionLevel
from service.auth.caller import Caller


def permitted(resource: str, level: PermissionLevel) -> Callable[[Caller], Awaitable[Caller]]:
    async def check(caller: CallerDep) -> Caller:
        caller.require(resource, level)
        return caller

    return check


async def _superuser(caller: CallerDep) -> Caller:
    caller.require_superuser()
    return caller


SuperUserDep = Annotated[Caller, Depends(_superuser)]
