"""GraphQL operations of sign-in: authenticate, refreshToken, logout, me."""

from __future__ import annotations

from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from service.accounts.types import AccessToType, AccountNode
from service.auth import service
from service.core.graphql import context_of


@strawberry.type(name="AuthPayload")
class AuthPayload:
    token: str
    refresh_token: str
    secret: str | None
    access_to: AccessToType
    properties: JSON
    services: JSON

    @classmethod
    def from_result(cls, result: service.AuthResult) -> AuthPayload:
        return cls(
            token=result.token,
            refresh_token=result.refresh_token,
            secret=result.secret,
            access_to=AccessToType(
                org_id=strawberry.ID(result.access_to.org_id),
                unit_ids=result.access_to.unit_ids,
                brandpath_list=result.access_to.brandpath_list,
            ),
            properties=cast(JSON, result.properties),
            services=cast(JSON, result.services),
        )


@strawberry.type
class AuthQuery:
    @strawberry.field(description="The signed-in account.")
    async def me(self, info: Info[Any, Any]) -> AccountNode:
        caller = await context_of(info).caller()
        return AccountNode.from_document(caller.account)


@strawberry.type
class AuthMutation:
    @strawberry.mutation(description="Sign in with a username and password.")
    async def authenticate(self, info: Info[Any, Any], username: str, password: str) -> AuthPayload:
        context = context_of(info)
        result = await service.authenticate(
            deps=context.deps,
            username=username,
            password=password,
            client_address=context.client_address,
        )
        return AuthPayload.from_result(result)

    @strawberry.mutation(description="Exchange a refresh token for a new pair (single use).")
    async def refresh_token(self, info: Info[Any, Any], token: str) -> AuthPayload:
        result = await service.refresh(deps=context_of(info).deps, refresh_token=token)
        return AuthPayload.from_result(result)

    @strawberry.mutation(description="End the login that a refresh token belongs to.")
    async def logout(self, info: Info[Any, Any], token: str) -> bool:
        context = context_of(info)
        caller = await context.caller()
        await service.logout(deps=context.deps, caller=caller, refresh_token=token)
        return True
