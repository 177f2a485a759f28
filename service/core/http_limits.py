"""Request-body guards applied before any route runs."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1_048_576


_NOT_JSON = object()


class _Unparsable(Exception):
    """JSON nested too deeply for the parser: refused before any route sees it."""


def _parse(body: bytes) -> Any:
    """The JSON document, or _NOT_JSON (malformed JSON is the route's to refuse)."""
    try:
        return json.loads(body)
    except ValueError:
        return _NOT_JSON
    except RecursionError:
        raise _Unparsable from None


def _has_unencodable_text(document: Any) -> bool:
    """True for JSON holding a lone surrogate (``"\\ud800"``): valid JSON, unstorable text."""
    try:
        json.dumps(document, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


class BodyLimits:
    """Refuses bodies over 1 MiB (413); GraphQL batches over the limit (400, GraphQL-shaped);
    and, outside GraphQL, JSON with unstorable text (422). The GraphQL endpoint answers
    unstorable text itself, as a BAD_USER_INPUT error.
    """

    def __init__(self, app: ASGIApp, max_batch: int, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_batch = max_batch
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _refuse(send, 413, "payload_too_large", "The request body is too large")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        graphql = scope["path"].startswith("/graphql")
        try:
            document = _parse(body) if body else _NOT_JSON
        except _Unparsable:
            if graphql:
                await _refuse_graphql(send, "The request is nested too deeply")
            else:
                await _refuse(send, 422, "invalid_input", "The body is nested too deeply")
            return
        if graphql:
            if isinstance(document, list) and len(document) > self.max_batch:
                refusal = f"Too many operations in one batch (the limit is {self.max_batch})"
                await _refuse_graphql(send, refusal)
                return
        elif document is not _NOT_JSON and _has_unencodable_text(document):
            await _refuse(send, 422, "invalid_input", "Text must be valid Unicode")
            return
        await self.app(scope, _replay(body, receive), send)


async def _refuse_graphql(send: Send, message: str) -> None:
    """A refusal in GraphQL's own shape: no data, one error naming the limit."""
    error = {"message": message, "extensions": {"code": "BAD_USER_INPUT"}}
    await _send_json(send, 400, {"errors": [error]})


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    await _send_json(send, status, {"code": code, "message": message})


async def _send_json(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
