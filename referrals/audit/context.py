"""Per-request audit context: the request id, the client address and the actor.

`RequestId` puts the request's id on `request.state.request_id` before anything else reads
it (the access log, the audit). `PublicAudit` and `StaffAudit` hand a service the `Audit`
it records its access with; a refused access is recorded once the request's transaction
has rolled back, which is why the context is request-scoped and outlives the session.
"""

import re
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from referrals.audit.service import Audit
from referrals.deps import StaffKey
from referrals.errors import ReferralsError
from referrals.workflow.events import PUBLIC, actor_of

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id(scope: Scope) -> str:
    """The request's id: the client's `X-Request-ID` if it is safe to log, else a uuid4 hex."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        sent = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        state["request_id"] = sent if _SAFE_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    return state["request_id"]


class RequestId:
    """ASGI middleware: sets `request.state.request_id`; install it outside the access log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request_id(scope)
        await self.app(scope, receive, send)


async def _audit(request: Request) -> AsyncIterator[Audit]:
    """The public actor's context; an access refused after it was recorded is recorded again."""
    client = request.client.host if request.client else None
    audit = Audit(actor=PUBLIC, client_address=client, request_id=request_id(request.scope))
    try:
        yield audit
    except ReferralsError as error:
        await run_in_threadpool(audit.refused, status=error.status)
        raise


PublicAudit = Annotated[Audit, Depends(_audit)]


async def _staff_audit(audit: PublicAudit, key: StaffKey) -> Audit:
    audit.actor = actor_of(key.id)
    return audit


StaffAudit = Annotated[Audit, Depends(_staff_audit)]
