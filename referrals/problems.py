"""Every error leaves as RFC 9457 problem details, with no submitted value echoed."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from referrals.errors import PROBLEM_JSON, FieldError, ReferralsError


def _field_name(location: tuple) -> str:
    """`body.patient.email` → `patient.email`; `query.limit` → `limit`."""
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "is not a known field"
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "json_invalid":
        return "is not valid JSON"
    if error["msg"].startswith("value is not a valid email address"):
        return "is not a valid email address"  # the validator's reason may quote the address
    return error["msg"].removeprefix("Value error, ")


def problem_response(error: ReferralsError) -> JSONResponse:
    """The problem-details response of an error."""
    return JSONResponse(
        error.problem(), status_code=error.status, headers=error.headers, media_type=PROBLEM_JSON
    )


async def _referrals_error(_: Request, exc: ReferralsError) -> JSONResponse:
    return problem_response(exc)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        FieldError("body" if e["type"] == "json_invalid" else _field_name(e["loc"]), _message(e))
        for e in exc.errors()
    ]
    return problem_response(ReferralsError("The request has invalid fields.", errors, status=422))


async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
    error = ReferralsError(status=exc.status_code, headers=dict(exc.headers or {}))
    return problem_response(error)


def install(app: FastAPI) -> None:
    """Register the problem-details handlers on `app`."""
    app.add_exception_handler(ReferralsError, _referrals_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
