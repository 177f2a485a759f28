"""Domain errors and validation failures as the legacy clients expect them."""

from __future__ import annotations

import logging
from typing import Any

from bson.errors import InvalidStringData
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import DocumentTooLarge
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.core.errors import DomainError, RateLimited, as_domain_error

logger = logging.getLogger("rest_compat")

_STATUS_CODES = {
    400: "invalid_input",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_input",
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        details.append({"field": ".".join(location) or "body", "message": error.get("msg", "")})
    return details


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _field_errors(exc)
    first = details[0] if details else {"field": "body", "message": "invalid"}
    body = {
        "code": "invalid_input",
        "message": f"{first['field']}: {first['message']}",
        "details": details,
    }
    return JSONResponse(body, status_code=422)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # A body that is not JSON at all is malformed input like any other: 422 (rest.md).
    status = 422 if exc.status_code == 400 else exc.status_code
    code = _STATUS_CODES.get(status, "error")
    return JSONResponse({"code": code, "message": str(exc.detail)}, status, headers=exc.headers)


async def _unusable_input(request: Request, exc: Exception) -> JSONResponse:
    return await _domain_error(request, as_domain_error(exc) or DomainError())


async def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    logger.error("unexpected error", exc_info=exc)
    return JSONResponse({"code": "internal_error", "message": "Internal server error"}, 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for unusable in (InvalidStringData, UnicodeEncodeError, DocumentTooLarge):
        app.add_exception_handler(unusable, _unusable_input)
    app.add_exception_handler(Exception, _unexpected_error)
