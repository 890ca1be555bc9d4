"""One JSON log line per request, and the answer to errors nothing else handled.

A line holds the request id, method, route template, status, duration and client address:
never a concrete path or a query string (they can hold ids and search terms), a header, a
body or an exception's message (messages can embed submitted values).
"""

import json
import logging
import time
import uuid
from datetime import UTC, datetime

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.routing import get_route_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from referrals.errors import PROBLEM_JSON, ReferralsError

access_log = logging.getLogger("referrals.access")
REQUEST_ID_HEADER = "X-Request-ID"


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message and its `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line |= getattr(record, "fields", {})
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = error_name(record.exc_info[0])  # the type only: never its message
        return json.dumps(line, default=str)


def error_name(kind: type[BaseException]) -> str:
    """`sqlalchemy.exc.OperationalError`, `ValueError`: an exception's type, never its text."""
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def logging_config(level: str) -> dict:
    """`logging.config.dictConfig` input: JSON lines on stderr at `level`, uvicorn's included."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's access lines carry the full path and query string: they stay off
            "uvicorn.access": {"handlers": [], "propagate": False},
            "uvicorn": {"handlers": [], "propagate": True},
        },
    }


def route_template(scope: Scope) -> str | None:
    """`/api/v1/referral-requests/{request_id}` for a matched route, else None."""
    route = scope.get("route")
    template, pattern = getattr(route, "path", None), getattr(route, "path_regex", None)
    if template is None or pattern is None:
        return template
    # A route of an included router knows its path without the router's prefix (FastAPI
    # routes included routers lazily); the prefix is what the route's own pattern leaves.
    path = get_route_path(scope)
    for at, char in enumerate(path):
        if char == "/" and pattern.match(path[at:]):
            return path[:at] + template
    return template


def request_id(scope: Scope) -> str:
    """The request's id: the one an earlier middleware set, or a new one."""
    state = scope.setdefault("state", {})
    return state.setdefault("request_id", uuid.uuid4().hex)


class AccessLog:
    """ASGI middleware: the access line, the `X-Request-ID` header, and 500s without detail."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id(scope)
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id(scope)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Not re-raised: the server would log the message and traceback, values and all.
            access_log.error("unhandled error", extra={"fields": self._fields(scope, exc)})
            if status is None:
                error = ReferralsError()  # "Internal Server Error", and nothing more
                answer = JSONResponse(error.problem(), status_code=500, media_type=PROBLEM_JSON)
                await answer(scope, receive, send_with_id)
        finally:
            fields = self._fields(scope) | {
                "method": scope["method"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "client": scope["client"][0] if scope.get("client") else None,
            }
            access_log.info("request", extra={"fields": fields})

    @staticmethod
    def _fields(scope: Scope, exc: Exception | None = None) -> dict:
        fields = {"request_id": request_id(scope), "route": route_template(scope)}
        if exc is not None:
            fields["error"] = error_name(type(exc))
        return fields
