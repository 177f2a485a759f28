"""GraphQL operations of account administration and the password lifecycle."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from service.accounts import passwords, service
from service.accounts.inputs import (
    AccountFilter,
    AccountPage,
    AccountSort,
    CreateAccountInput,
    UpdateAccountInput,
)
from service.accounts.types import AccountNode
from service.core.errors import NotFound
from service.core.graphql import context_of


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="An account; null when absent or outside your scope.")
    async def account(self, info: Info[Any, Any], id: strawberry.ID) -> AccountNode | None:
        context = context_of(info)
        caller = await context.caller()
        try:
            account = await service.get_account(deps=context.deps, caller=caller, account_id=id)
        except NotFound:
            return None
        return AccountNode.from_document(account)

    @strawberry.field(description="Accounts in your scope, one page at a time.")
    async def accounts(
        self,
        info: Info[Any, Any],
        filter: AccountFilter | None = None,
        sort: AccountSort | None = None,
        page: int | None = 1,
        limit: int | None = 20,
    ) -> AccountPage:
        context = context_of(info)
        caller = await context.caller()
        chosen = filter or AccountFilter()
        order = sort or AccountSort()
        page = 1 if page is None else page
        limit = 20 if limit is None else limit
        accounts, total = await service.list_accounts(
            deps=context.deps,
            caller=caller,
            account_types=(
                [t.value for t in chosen.account_types] if chosen.account_types is not None
                else None
            ),
            account_ids=[str(i) for i in chosen.ids] if chosen.ids is not None else None,
            org_id=str(chosen.org_id) if chosen.org_id is not None else None,
            search=chosen.search,
            sort_field=order.field.value,
            sort_direction=order.direction.value,
            page=page,
            limit=limit,
        )
        return AccountPage.of(accounts, total, page, limit)


@strawberry.type
class AccountsMutation:
    @strawberry.mutation(description="Create an account.")
    async def create_account(self, info: Info[Any, Any], input: CreateAccountInput) -> AccountNode:
        context = context_of(info)
        caller = await context.caller()
        account = await service.create_account(
            deps=context.deps, caller=caller, data=input.to_model()
        )
        return AccountNode.from_document(account)

    @strawberry.mutation(description="Change an account; absent or null fields stay as they are.")
    async def update_account(self, info: Info[Any, Any], input: UpdateAccountInput) -> AccountNode:
        context = context_of(info)
        caller = await context.caller()
        account = await service.update_account(
            deps=context.deps, caller=caller, data=input.to_model()
        )
        return AccountNode.from_document(account)

    @strawberry.mutation(description="Disable an account and end its sessions.")
    async def disable_account(self, info: Info[Any, Any], id: strawberry.ID) -> AccountNode:
        context = context_of(info)
        caller = await context.caller()
        account = await service.disable_account(deps=context.deps, caller=caller, account_id=id)
        return AccountNode.from_document(account)

    @strawberry.mutation(description="Enable an account.")
    async def enable_account(self, info: Info[Any, Any], id: strawberry.ID) -> AccountNode:
        context = context_of(info)
        caller = await context.caller()
        account = await service.enable_account(deps=context.deps, caller=caller, account_id=id)
        return AccountNode.from_document(account)

    @strawberry.mutation(description="Clear the login throttling of an account's username.")
    async def unlock_account(self, info: Info[Any, Any], id: strawberry.ID) -> bool:
        context = context_of(info)
        caller = await context.caller()
        await service.unlock_account(deps=context.deps, caller=caller, account_id=id)
        return True

    @strawberry.mutation(description="End every session and access token of an account.")
    async def revoke_account_tokens(self, info: Info[Any, Any], id: strawberry.ID) -> bool:
        context = context_of(info)
        caller = await context.caller()
        await service.revoke_account_tokens(deps=context.deps, caller=caller, account_id=id)
        return True

    @strawberry.mutation(description="Change your own password (needs the current one).")
    async def change_password(self, info: Info[Any, Any], current: str, password: str) -> bool:
        context = context_of(info)
        caller = await context.caller()
        await passwords.change_password(
            deps=context.deps,
            caller=caller,
            current=current,
            password=password,
            client_address=context.client_address,
        )
        return True

    @strawberry.mutation(description="Send a one-time password to reset a password.")
    async def request_password_reset(self, info: Info[Any, Any], username: str) -> bool:
        await passwords.request_password_reset(deps=context_of(info).deps, username=username)
        return True

    @strawberry.mutation(description="Set a new password with a one-time password.")
    async def reset_password(
        self, info: Info[Any, Any], username: str, otp: str, password: str
    ) -> bool:
        await passwords.reset_password(
            deps=context_of(info).deps, username=username, otp=otp, password=password
        )
        return True
