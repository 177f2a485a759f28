"""OAuth provider configurations: scope by owner, https URLs, the secret sealed and masked."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.core.settings import Settings
from service.oauth.documents import OAuthProvider
from tests.accounts.helpers import Outcome, grants, signed_in, topic_events
from tests.conftest import bearer, graphql, unique
from tests.organisations.conftest import make_org
from tests.organisations.helpers import camel, graphql_outcome, rest_outcome

SECRET = "s3cr3t-value-ABCD"
PROVIDER_FIELDS = ("id owner clientId clientSecret issuerUrl tokenUrl jwkUrl redirectUrl "
                   "frontendUrl")
SEED_PROVIDER_KEYS = {"id", "owner", "client_id", "client_secret", "issuer_url", "token_url",
                      "jwk_url", "redirect_url", "frontend_url", "created", "updated"}


class ProviderApi:
    def __init__(self, client: httpx.AsyncClient, name: str) -> None:
        self.client = client
        self.name = name

    async def create(self, token: str, body: dict[str, Any]) -> Outcome:
        if self.name == "rest":
            return rest_outcome(await self.client.post("/oauth/providers", json=body,
                                                       headers=bearer(token)))
        query = ("mutation($i: CreateOAuthProviderInput!) {"
                 f" createOAuthProvider(input: $i) {{ {PROVIDER_FIELDS} }} }}")
        return await graphql_outcome(self.client, query, {"i": camel(body)}, token,
                                     "createOAuthProvider")

    async def update(self, token: str, provider_id: str, body: dict[str, Any]) -> Outcome:
        if self.name == "rest":
            return rest_outcome(await self.client.put(f"/oauth/providers/{provider_id}",
                                                      json=body, headers=bearer(token)))
        query = ("mutation($id: ID!, $i: UpdateOAuthProviderInput!) {"
                 f" updateOAuthProvider(id: $id, input: $i) {{ {PROVIDER_FIELDS} }} }}")
        return await graphql_outcome(self.client, query, {"id": provider_id, "i": camel(body)},
                                     token, "updateOAuthProvider")

    async def listing(self, token: str, search: str | None = None) -> Outcome:
        if self.name == "rest":
            params = {"search": search} if search is not None else {}
            return rest_outcome(await self.client.get("/oauth/providers", params=params,
                                                      headers=bearer(token)))
        query = f"query($s: String) {{ oauthProviders(search: $s) {{ {PROVIDER_FIELDS} }} }}"
        return await graphql_outcome(self.client, query, {"s": search}, token, "oauthProviders")

    async def delete(self, token: str, provider_id: str) -> Outcome:
        if self.name == "rest":
            return rest_outcome(await self.client.delete(f"/oauth/providers/{provider_id}",
                                                         headers=bearer(token)))
        return await graphql_outcome(
            self.client, "mutation($id: ID!) { deleteOAuthProvider(id: $id) }",
            {"id": provider_id}, token, "deleteOAuthProvider")


@pytest.fixture(params=["rest", "graphql"])
def api(request: pytest.FixtureRequest, client: httpx.AsyncClient) -> ProviderApi:
    return ProviderApi(client, request.param)



@pytest.fixture(scope="module")
async def orgs(deps: Any, su_token: str) -> dict[str, str]:
    """``home`` (units web, app) with a child, and a ``sibling`` outside the admin's reach."""
    top = await make_org(deps, su_token, "root")
    home = await make_org(deps, su_token, top, units=["web", "app"])
    return {"top": top, "home": home, "child": await make_org(deps, su_token, home),
            "sibling": await make_org(deps, su_token, top, units=["web"])}


@pytest.fixture(scope="module")
async def admin(client: httpx.AsyncClient, su_token: str, orgs: dict[str, str]) -> str:
    _, token = await signed_in(client, su_token, orgs["home"],
                               permissions=grants(oauth_providers="Write"))
    return token


def provider_body(owner: str, **fields: Any) -> dict[str, Any]:
    return {"id": unique("idp"), "owner": owner, "client_id": "client-1",
            "client_secret": SECRET, "issuer_url": "https://idp.example",
            "token_url": "https://idp.example/token", "jwk_url": "https://idp.example/jwks",
            "redirect_url": "https://accounts.example/oauth/callback",
            "frontend_url": "https://backoffice.example/oauth", **fields}


async def stored(provider_id: str) -> dict[str, Any]:
    raw = await OAuthProvider.get_pymongo_collection().find_one({"_id": provider_id})
    assert raw is not None
    return raw  # type: ignore[no-any-return]


async def test_created_provider_has_the_seed_body_with_a_masked_secret(
    client: httpx.AsyncClient, admin: str, orgs: dict[str, str]
) -> None:
    body = provider_body(orgs["home"])
    response = await client.post("/oauth/providers", json=body, headers=bearer(admin))
    assert response.status_code == 200
    created = response.json()
    assert set(created) == SEED_PROVIDER_KEYS
    assert created["client_secret"] == "****ABCD"
    assert {k: v for k, v in created.items() if k not in ("client_secret", "created", "updated")} \
        == {k: v for k, v in body.items() if k != "client_secret"}


async def test_secret_is_masked_in_every_answer(
    api: ProviderApi, admin: str, orgs: dict[str, str]
) -> None:
    body = provider_body(orgs["home"])
    made = await api.create(admin, body)
    listed = await api.listing(admin, search=body["id"])
    changed = await api.update(admin, body["id"], {"client_id": "client-2"})
    assert made.body["client_secret"] == listed.body[0]["client_secret"] == (
        changed.body["client_secret"]) == "****ABCD"


async def test_short_secret_is_masked_whole(
    api: ProviderApi, admin: str, orgs: dict[str, str]
) -> None:
    outcome = await api.create(admin, provider_body(orgs["home"], client_secret="short-1234"))
    assert outcome.body["client_secret"] == "****"


async def test_secret_is_sealed_at_rest(
    client: httpx.AsyncClient, admin: str, deps: Any, orgs: dict[str, str]
) -> None:
    body = provider_body(orgs["home"])
    await client.post("/oauth/providers", json=body, headers=bearer(admin))
    raw = await stored(body["id"])
    assert SECRET not in repr(raw)
    assert deps.cipher.decrypt(raw["client_secret_sealed"]) == SECRET


async def test_sending_the_masked_secret_back_keeps_the_secret(
    api: ProviderApi, admin: str, deps: Any, orgs: dict[str, str]
) -> None:
    made = (await api.create(admin, provider_body(orgs["home"]))).body
    echoed = await api.update(admin, made["id"], {**made, "client_id": "client-3"})
    assert echoed.status == 200
    assert echoed.body["client_id"] == "client-3"
    assert deps.cipher.decrypt((await stored(made["id"]))["client_secret_sealed"]) == SECRET


async def test_a_new_secret_replaces_the_old_one(
    api: ProviderApi, admin: str, deps: Any, orgs: dict[str, str]
) -> None:
    made = (await api.create(admin, provider_body(orgs["home"]))).body
    outcome = await api.update(admin, made["id"], {"client_secret": "another-secret-WXYZ"})
    assert outcome.body["client_secret"] == "****WXYZ"
    raw = await stored(made["id"])
    assert deps.cipher.decrypt(raw["client_secret_sealed"]) == "another-secret-WXYZ"


async def test_owner_may_be_an_org_unit_in_scope(
    api: ProviderApi, admin: str, orgs: dict[str, str]
) -> None:
    assert (await api.create(admin, provider_body(f"{orgs['home']}:web"))).status == 200
    assert (await api.create(admin, provider_body(orgs["child"]))).status == 200


@pytest.mark.parametrize("owner", ["sibling", "sibling:web", "home:nounit", "missing"])
async def test_owner_outside_scope_or_unknown_is_422(
    api: ProviderApi, admin: str, orgs: dict[str, str], owner: str
) -> None:
    org_key, _, unit = owner.partition(":")
    org_id = orgs.get(org_key, unique("nowhere"))
    outcome = await api.create(admin, provider_body(f"{org_id}:{unit}" if unit else org_id))
    assert (outcome.status, outcome.code) == (422, "invalid_input")


@pytest.mark.parametrize("url", ["http://idp.example/token", "ftp://idp.example", "idp.example",
                                 "https://", "javascript:alert(1)"])
async def test_provider_urls_must_be_https(
    api: ProviderApi, admin: str, orgs: dict[str, str], url: str
) -> None:
    outcome = await api.create(admin, provider_body(orgs["home"], token_url=url))
    assert outcome.status == 422


async def test_plain_http_is_allowed_to_loopback(
    api: ProviderApi, admin: str, orgs: dict[str, str]
) -> None:
    outcome = await api.create(admin, provider_body(
        orgs["home"], issuer_url="http://127.0.0.1:8080", jwk_url="http://localhost/jwks",
        token_url="http://[::1]:9000/token"))
    assert outcome.status == 200


async def test_duplicate_id_is_409(api: ProviderApi, admin: str, orgs: dict[str, str]) -> None:
    body = provider_body(orgs["home"])
    await api.create(admin, body)
    assert (await api.create(admin, body)).status == 409


async def test_list_shows_only_providers_owned_in_scope_sorted_by_id(
    api: ProviderApi, admin: str, su_token: str, orgs: dict[str, str]
) -> None:
    marker = unique("Mk")
    mine = [provider_body(orgs["home"], id=f"{marker}-b"),
            provider_body(f"{orgs['child']}", id=f"{marker}-a")]
    theirs = provider_body(orgs["sibling"], id=f"{marker}-c")
    for body in mine:
        await api.create(admin, body)
    await api.create(su_token, theirs)
    outcome = await api.listing(admin, search=marker.lower())
    assert [p["id"] for p in outcome.body] == [f"{marker}-a", f"{marker}-b"]
    assert len((await api.listing(su_token, search=marker)).body) == 3


async def test_search_is_literal(api: ProviderApi, admin: str) -> None:
    assert (await api.listing(admin, search=".*")).body == []


async def test_provider_outside_scope_is_404(
    api: ProviderApi, admin: str, su_token: str, orgs: dict[str, str]
) -> None:
    theirs = provider_body(orgs["sibling"])
    await api.create(su_token, theirs)
    assert (await api.update(admin, theirs["id"], {"client_id": "mine"})).status == 404
    assert (await api.delete(admin, theirs["id"])).status == 404


async def test_id_in_the_body_must_match_the_path(
    api: ProviderApi, admin: str, orgs: dict[str, str]
) -> None:
    made = (await api.create(admin, provider_body(orgs["home"]))).body
    outcome = await api.update(admin, made["id"], {"id": unique("other")})
    assert outcome.status == 422
    assert (await api.update(admin, made["id"], {"id": made["id"]})).status == 200


async def test_moving_the_owner_out_of_scope_is_422(
    api: ProviderApi, admin: str, orgs: dict[str, str]
) -> None:
    made = (await api.create(admin, provider_body(orgs["home"]))).body
    assert (await api.update(admin, made["id"], {"owner": orgs["sibling"]})).status == 422


async def test_delete_removes_the_provider(
    api: ProviderApi, admin: str, orgs: dict[str, str]
) -> None:
    made = (await api.create(admin, provider_body(orgs["home"]))).body
    assert (await api.delete(admin, made["id"])).status == 200
    assert (await api.listing(admin, search=made["id"])).body == []
    assert (await api.update(admin, made["id"], {"client_id": "x"})).status == 404


async def test_reading_and_writing_need_their_permissions(
    client: httpx.AsyncClient, su_token: str, orgs: dict[str, str]
) -> None:
    _, reader = await signed_in(client, su_token, orgs["home"],
                                permissions=grants(oauth_providers="Read"))
    _, nobody = await signed_in(client, su_token, orgs["home"])
    assert (await client.get("/oauth/providers", headers=bearer(reader))).status_code == 200
    assert (await client.get("/oauth/providers", headers=bearer(nobody))).status_code == 403
    refused = await client.post("/oauth/providers", json=provider_body(orgs["home"]),
                                headers=bearer(reader))
    assert refused.status_code == 403


async def test_public_list_offers_the_org_and_unit_providers(
    client: httpx.AsyncClient, admin: str, deps: Any, su_token: str, orgs: dict[str, str]
) -> None:
    owner = await make_org(deps, su_token, orgs["home"], units=["web", "app"])
    org_level = provider_body(owner)
    unit_level = provider_body(f"{owner}:web")
    other_unit = provider_body(f"{owner}:app")
    for body in (org_level, unit_level, other_unit):
        await client.post("/oauth/providers", json=body, headers=bearer(admin))
    response = await client.get("/oauth/providers/public", params={"owner": f"{owner}:web"})
    assert response.status_code == 200
    assert response.json() == sorted(
        [{"id": org_level["id"], "owner": owner},
         {"id": unit_level["id"], "owner": f"{owner}:web"}], key=lambda p: p["id"])
    whole = await client.get("/oauth/providers/public", params={"owner": owner})
    assert whole.json() == [{"id": org_level["id"], "owner": owner}]


async def test_public_list_is_empty_for_a_disabled_org(
    client: httpx.AsyncClient, admin: str, deps: Any, su_token: str, orgs: dict[str, str]
) -> None:
    owner = await make_org(deps, su_token, orgs["home"])
    await client.post("/oauth/providers", json=provider_body(owner), headers=bearer(admin))
    await client.put(f"/organisations/{owner}", json={"enabled": False},
                     headers=bearer(su_token))
    response = await client.get("/oauth/providers/public", params={"owner": owner})
    assert response.json() == []


async def test_events_never_carry_the_secret(
    client: httpx.AsyncClient, admin: str, orgs: dict[str, str], settings: Settings
) -> None:
    body = provider_body(orgs["home"])
    await client.post("/oauth/providers", json=body, headers=bearer(admin))
    await client.put(f"/oauth/providers/{body['id']}",
                     json={"client_secret": "rotated-secret-9876"}, headers=bearer(admin))
    await client.delete(f"/oauth/providers/{body['id']}", headers=bearer(admin))
    events = await topic_events(settings, settings.events_topic,
                                lambda e: e["subject"] == body["id"], count=3)
    assert [e["type"] for e in events] == [
        "accounts.oauth_provider.created", "accounts.oauth_provider.updated",
        "accounts.oauth_provider.deleted"]
    for event in events:
        assert "client_secret" not in event["data"]
        assert SECRET not in str(event) and "9876" not in str(event)
        assert event["data"]["owner"] == orgs["home"]


async def test_graphql_errors_name_the_reason(
    client: httpx.AsyncClient, admin: str, orgs: dict[str, str]
) -> None:
    result = await graphql(
        client,
        "mutation($i: CreateOAuthProviderInput!) { createOAuthProvider(input: $i) { id } }",
        {"i": camel(provider_body(orgs["sibling"]))}, token=admin)
    assert result["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT", "reason": "invalid_input",
        "details": [{"field": "owner", "message": "no such organisation or unit"}]}
