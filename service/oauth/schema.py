"""GraphQL operations of the OAuth provider configurations."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from service.core.graphql import context_of
from service.oauth import service
from service.oauth.types import (
    CreateOAuthProviderInput,
    OAuthProviderNode,
    UpdateOAuthProviderInput,
)


@strawberry.type
class OAuthQuery:
    @strawberry.field(description="Providers owned in your scope, by id; `search` is a "
                      "case-insensitive substring of the id.")
    async def oauth_providers(
        self, info: Info[Any, Any], search: str | None = None
    ) -> list[OAuthProviderNode]:
        caller = await context_of(info).caller()
        views = await service.list_providers(caller=caller, search=search)
        return [OAuthProviderNode.of(view) for view in views]


@strawberry.type
class OAuthMutation:
    @strawberry.mutation(
        name="createOAuthProvider", description="Configure an OAuth/OIDC provider."
    )
    async def create_oauth_provider(
        self, info: Info[Any, Any], input: CreateOAuthProviderInput
    ) -> OAuthProviderNode:
        context = context_of(info)
        caller = await context.caller()
        view = await service.create_provider(
            deps=context.deps, caller=caller, data=input.to_model()
        )
        return OAuthProviderNode.of(view)

    @strawberry.mutation(
        name="updateOAuthProvider", description="Change a provider; null fields stay as they are."
    )
    async def update_oauth_provider(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdateOAuthProviderInput
    ) -> OAuthProviderNode:
        context = context_of(info)
        caller = await context.caller()
        view = await service.update_provider(
            deps=context.deps, caller=caller, provider_id=id, data=input.to_model()
        )
        return OAuthProviderNode.of(view)

    @strawberry.mutation(name="deleteOAuthProvider", description="Delete a provider configuration.")
    async def delete_oauth_provider(self, info: Info[Any, Any], id: strawberry.ID) -> bool:
        context = context_of(info)
        caller = await context.caller()
        await service.delete_provider(deps=context.deps, caller=caller, provider_id=id)
        return True
