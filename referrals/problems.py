"""Every error leaves as RFC 9457 problem details, with no submitted value echoed."""

import json
import logging
from collections.abc import Callable, Iterable, Iterator

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from referrals.auth.models import Role
from referrals.deps import get_session
from referrals.errors import PROBLEM_JSON, FieldError, ReferralsError, ServiceUnavailable
from referrals.observability import error_name, route_template

database_log = logging.getLogger("referrals.database")


def _field_name(location: tuple) -> str:
    """`body.patient.email` → `patient.email`; `query.limit` → `limit`."""
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _amount(value: object) -> str:
    """A constraint's bound as people write it: 100000 → "100,000", 1.0 → "1"."""
    number = float(value)  # type: ignore[arg-type]
    return f"{int(number):,}" if number.is_integer() else f"{number:,}"


def _size(ctx: dict, bound: str) -> str:
    """`too_long` and `too_short` count a list's items, or a string's characters."""
    unit = "item" if ctx.get("field_type") in ("List", "Set", "Tuple") else "character"
    return f"{ctx[bound]} {unit}{'' if ctx[bound] == 1 else 's'}"


# pydantic's error type → a message a patient or staff member can act on, from the error's
# constraints (`ctx`) and never from the value sent. Wording that only one field's format
# needs (a ZIP code, a language code) belongs to that field's type, as a `ValueError`.
_DATE = "must be a date such as 1984-02-14"
_DATETIME = "must be a date and time such as 2025-01-31T09:00:00Z"
_FIXED = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "json_invalid": "is not valid JSON",
    "string_type": "must be text",
    "string_pattern_mismatch": "is not in the expected format",
    **dict.fromkeys(("list_type", "set_type", "frozen_set_type"), "must be a list"),
    "timezone_aware": "must be a date and time with a time zone",
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float"), "must be a whole number"),
    **dict.fromkeys(("float_type", "float_parsing"), "must be a number"),
    "finite_number": "must be a finite number",
    **dict.fromkeys(("bool_type", "bool_parsing"), "must be true or false"),
    **dict.fromkeys(("model_type", "model_attributes_type", "dict_type"), "must be an object"),
    **dict.fromkeys(("date_type", "date_parsing", "date_from_datetime_parsing"), _DATE),
    "date_from_datetime_inexact": _DATE,
    **dict.fromkeys(("datetime_type", "datetime_parsing", "datetime_from_date_parsing"), _DATETIME),
}
_FROM_CONSTRAINTS: dict[str, Callable[[dict], str]] = {
    "greater_than": lambda ctx: f"must be more than {_amount(ctx['gt'])}",
    "greater_than_equal": lambda ctx: f"must be at least {_amount(ctx['ge'])}",
    "less_than": lambda ctx: f"must be less than {_amount(ctx['lt'])}",
    "less_than_equal": lambda ctx: f"must be at most {_amount(ctx['le'])}",
    "multiple_of": lambda ctx: f"must be a multiple of {_amount(ctx['multiple_of'])}",
    "string_too_short": lambda ctx: (
        "must not be empty"
        if ctx["min_length"] == 1
        else f"must be at least {ctx['min_length']} characters long"
    ),
    "string_too_long": lambda ctx: f"must be at most {ctx['max_length']} characters long",
    "too_short": lambda ctx: f"must have at least {_size(ctx, 'min_length')}",
    "too_long": lambda ctx: f"must have at most {_size(ctx, 'max_length')}",
    **dict.fromkeys(("enum", "literal_error"), lambda ctx: f"must be one of {ctx['expected']}"),
}


def _message(error: dict) -> str:
    if error["msg"].startswith("value is not a valid email address"):
        return "is not a valid email address"  # the validator's reason may quote the address
    if error["type"] == "value_error":  # the field type's own words, from its validator
        return error["msg"].removeprefix("Value error, ")
    if error["type"] in _FIXED:
        return _FIXED[error["type"]]
    if error["type"] in _FROM_CONSTRAINTS:
        return _FROM_CONSTRAINTS[error["type"]](error.get("ctx", {}))
    return "is not valid"


def problem_response(error: ReferralsError) -> JSONResponse:
    """The problem-details response of an error."""
    return JSONResponse(
        error.problem(), status_code=error.status, headers=error.headers, media_type=PROBLEM_JSON
    )


async def _referrals_error(_: Request, exc: ReferralsError) -> JSONResponse:
    return problem_response(exc)


def field_errors(errors: Iterable[dict]) -> list[FieldError]:
    """pydantic's errors, each as the field it names and a message that does not quote it."""
    return [
        FieldError("body" if e["type"] == "json_invalid" else _field_name(e["loc"]), _message(e))
        for e in errors
    ]


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = field_errors(exc.errors())
    return problem_response(ReferralsError("The request has invalid fields.", errors, status=422))


async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
    error = ReferralsError(status=exc.status_code, headers=dict(exc.headers or {}))
    return problem_response(error)


# SQLite reports a missing table or bad SQL as an OperationalError too: only these mean
# that the file is busy, out of reach or read-only (a mount, its permissions) for now.
_SQLITE_AWAY = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_READONLY",
)

# A standby server, or one set read-only, refuses writes until it is promoted or set back.
_PG_READ_ONLY = "25006"  # read_only_sql_transaction


def database_away(exc: Exception) -> bool:
    """Whether the database is unreachable or busy, so that a retry may succeed."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    if getattr(exc.orig, "sqlstate", None) == _PG_READ_ONLY:
        return True
    sqlite_error = getattr(exc.orig, "sqlite_errorname", None)
    return isinstance(exc, OperationalError) and (
        sqlite_error is None or sqlite_error.startswith(_SQLITE_AWAY)
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """503 while the database is away; the request's transaction was rolled back."""
    if not database_away(exc):
        raise exc
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    fields = {
        "request_id": getattr(request.state, "request_id", None),
        "route": route_template(request.scope),
        "error": error_name(type(cause)),  # the type only: the text can quote statement values
    }
    database_log.warning("database unavailable", extra={"fields": fields})
    return problem_response(ServiceUnavailable("The database is unavailable; try again shortly."))


def install(app: FastAPI) -> None:
    """Register the problem-details handlers on `app`."""
    app.add_exception_handler(ReferralsError, _referrals_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeout, _database_error)
    document(app)


class FieldProblem(BaseModel):
    """One wrong field: its dotted name and what is wrong, never the value sent."""

    model_config = ConfigDict(extra="forbid")

    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error answer."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(description="`about:blank`: the status code says what kind of error.")
    title: str = Field(description="The status code's reason phrase.")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong, without any submitted value.")
    errors: list[FieldProblem] = Field(
        default_factory=list, description="The wrong fields, when the request has some."
    )


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
_WWW_AUTHENTICATE = {"WWW-Authenticate": {"schema": {"type": "string", "enum": ["Bearer"]}}}
# status → (description, headers): the errors the handlers above and the middleware give
_ANSWERS: dict[int, tuple[str, dict]] = {
    400: ("The body cannot be read as JSON (it is not UTF-8, for one).", {}),
    401: ("No API key, or one that is unknown or revoked.", _WWW_AUTHENTICATE),
    403: ("The API key's role does not allow this operation.", {}),
    404: ("Nothing has this id.", {}),
    409: ("The change conflicts with the current state.", {}),
    413: ("The request body is larger than 64 KiB.", {}),
    422: ("The request has invalid fields, named in `errors`.", {}),
    429: ("Too many requests from this address.", _RETRY_AFTER),
    503: ("The database is unavailable for now.", _RETRY_AFTER),
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _depends_on(dependant: Dependant, call) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


def _api_routes(routes: list) -> Iterator:
    """The API routes, as routed: FastAPI 0.16x nests included routers, older ones do not."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover
        contexts = iter(routes)
    else:
        contexts = iter_route_contexts(routes)
    for context in contexts:
        if isinstance(getattr(context, "original_route", context), APIRoute):
            yield context


def _error_statuses(method: str, operation: dict, route) -> set[int]:
    """The error statuses an operation can answer with, from what it takes and needs."""
    statuses = {int(code) for code in operation["responses"] if code[0] in "45"}
    if operation.get("security"):
        statuses.add(401)
        if operation.get("x-required-role", Role.staff) != Role.staff:  # every key is staff
            statuses.add(403)
        if method != "get":
            statuses.add(409)
    parameters = operation.get("parameters", [])
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses.add(404)
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses |= {400, 413}
    if route is not None and _depends_on(route.dependant, get_session):
        statuses.add(503)
    return statuses


def _with_problems(schema: dict, routes: list) -> dict:
    """Declare each operation's errors as `application/problem+json` `Problem` bodies.

    This replaces FastAPI's default 422 (`HTTPValidationError`), which no answer has.
    """
    by_operation = {
        (route.path_format, method.lower()): route
        for route in _api_routes(routes)
        for method in route.methods
    }
    problem = Problem.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components |= problem.pop("$defs", {}) | {"Problem": problem}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            route = by_operation.get((path, method))
            for status in sorted(_error_statuses(method, operation, route)):
                description, headers = _ANSWERS.get(status, ("An error.", {}))
                declared = operation["responses"].get(str(status), {})
                answer = {
                    "description": declared.get("description", description),
                    "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
                }
                if status == 422:  # FastAPI's default says only "Validation Error"
                    answer["description"] = description
                if headers:
                    answer["headers"] = headers
                operation["responses"][str(status)] = answer
            operation["responses"] = dict(sorted(operation["responses"].items()))
    for unused in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{unused}"' not in json.dumps(schema):
            components.pop(unused, None)
    return schema


def document(app: FastAPI) -> None:
    """Make `app.openapi()` declare the problem details each operation can answer with."""
    generate = app.openapi  # which caches its schema until the routes change
    documented: list[dict] = []

    def openapi() -> dict:
        schema = generate()
        if not any(schema is done for done in documented):
            documented[:] = [_with_problems(schema, app.routes)]
        return schema

    app.openapi = openapi
