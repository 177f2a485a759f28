"""FastAPI dependencies: the process's service dependencies, client address, the caller."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.auth.caller import Caller
from service.auth.service import caller_from_token
from service.core.errors import Unauthenticated
from service.dependencies import Dependencies

_bearer = HTTPBearer(auto_error=False)


def get_deps(request: Request) -> Dependencies:
    return request.app.state.deps  # type: ignore[no-any-return]


def _is_trusted(address: str, trusted: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request: Request) -> str:
    """The peer, or the first untrusted hop of X-Forwarded-For when the peer is a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.deps.settings.trusted_proxies
    forwarded = request.headers.get("x-forwarded-for")
    if not forwarded or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


async def get_caller(
    deps: Annotated[Dependencies, Depends(get_deps)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("unauthenticated", "A bearer token is required")
    return await caller_from_token(deps=deps, token=credentials.credentials)


DepsDep = Annotated[Dependencies, Depends(get_deps)]
CallerDep = Annotated[Caller, Depends(get_caller)]
AddressDep = Annotated[str, Depends(client_address)]
