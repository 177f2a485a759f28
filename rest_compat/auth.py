"""Legacy sign-in routes: thin adapters over service.auth."""

from __future__ import annotations

from fastapi import APIRouter

from rest_compat.bodies import AuthResponse, Credentials, MeResponse, TokenBody
from rest_compat.dependencies import AddressDep, CallerDep, DepsDep
from service.auth import service

router = APIRouter(prefix="/accounts", tags=["auth"])


@router.post("/auth", response_model=AuthResponse)
async def authenticate(body: Credentials, deps: DepsDep, address: AddressDep) -> AuthResponse:
    result = await service.authenticate(
        deps=deps, username=body.username, password=body.password, client_address=address
    )
    return AuthResponse.of(result)


@router.post("/refresh", response_model=AuthResponse)
async def refresh(body: TokenBody, deps: DepsDep) -> AuthResponse:
    return AuthResponse.of(await service.refresh(deps=deps, refresh_token=body.token))


@router.get("/me", response_model=MeResponse)
async def me(caller: CallerDep) -> MeResponse:
    return MeResponse.of(caller.account, service.access_to(caller.account, caller.tree))


@router.post("/logout", response_model=None)
async def logout(body: TokenBody, caller: CallerDep, deps: DepsDep) -> None:
    await service.logout(deps=deps, caller=caller, refresh_token=body.token)
