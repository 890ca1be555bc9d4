"""Typed errors and their rendering as RFC 9457 problem details.

Error bodies never echo submitted values: they say which field is wrong and why.
"""

from dataclasses import dataclass, field
from http import HTTPStatus

PROBLEM_JSON = "application/problem+json"


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class ReferralsError(Exception):
    """An error with an HTTP status; `detail` and `errors` must hold no submitted values."""

    detail: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase

    def problem(self) -> dict:
        body: dict = {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        return body


@dataclass
class Unauthorized(ReferralsError):
    status: int = 401
    headers: dict[str, str] = field(default_factory=lambda: {"WWW-Authenticate": "Bearer"})


@dataclass
class Forbidden(ReferralsError):
    status: int = 403


@dataclass
class NotFound(ReferralsError):
    status: int = 404


@dataclass
class Conflict(ReferralsError):
    status: int = 409


@dataclass
class InvalidInput(ReferralsError):
    """A request that parsed but breaks a rule that needs the database or a lookup."""

    status: int = 422

    @classmethod
    def on(cls, field_name: str, message: str) -> "InvalidInput":
        return cls("The request has invalid fields.", [FieldError(field_name, message)])


@dataclass
class TooManyRequests(ReferralsError):
    status: int = 429


@dataclass
class ContentTooLarge(ReferralsError):
    status: int = 413


@dataclass
class ServiceUnavailable(ReferralsError):
    status: int = 503
    headers: dict[str, str] = field(default_factory=lambda: {"Retry-After": "5"})
