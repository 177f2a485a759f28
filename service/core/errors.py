"""Domain errors: raised by service functions, mapped once per API (HTTP status, GraphQL code)."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 500
    graphql_code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    default_code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "Internal error"

    def __init__(
        self,
        code: str | None = None,
        message: str | None = None,
        *,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class Unauthenticated(DomainError):
    status = 401
    graphql_code = "UNAUTHENTICATED"
    default_code = "unauthenticated"
    default_message = "Authentication required"


class Forbidden(DomainError):
    status = 403
    graphql_code = "FORBIDDEN"
    default_code = "forbidden"
    default_message = "Not allowed"


class NotFound(DomainError):
    status = 404
    graphql_code = "NOT_FOUND"
    default_code = "not_found"
    default_message = "Not found"


class Conflict(DomainError):
    status = 409
    graphql_code = "CONFLICT"
    default_code = "conflict"
    default_message = "Conflict"


class InvalidInput(DomainError):
    status = 422
    graphql_code = "BAD_USER_INPUT"
    default_code = "invalid_input"
    default_message = "Invalid input"


class RateLimited(DomainError):
    status = 429
    graphql_code = "RATE_LIMITED"
    default_code = "rate_limited"
    default_message = "Too many attempts, try again later"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(None, message)


def invalid_field(field: str, message: str, code: str = "invalid_input") -> InvalidInput:
    return InvalidInput(code, f"{field}: {message}", details=[{"field": field, "message": message}])


def as_domain_error(error: BaseException) -> DomainError | None:
    """Driver errors that mean the input was unusable (unstorable text, an oversized document)."""
    from bson.errors import InvalidStringData
    from pymongo.errors import DocumentTooLarge

    if isinstance(error, InvalidStringData | UnicodeEncodeError):
        return InvalidInput("invalid_input", "Text must be valid Unicode")
    if isinstance(error, DocumentTooLarge):
        return InvalidInput("invalid_input", "The input is too large")
    return None
