"""Recording and reading accesses to referral requests (SPEC §7): ids, never PHI."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from referrals.audit.models import Action, AuditEvent, AuditEventRequest
from referrals.audit.schemas import AuditEventRead, AuditFilters
from referrals.db import insert_rows, page_of
from referrals.schemas import Page

__all__ = ["Action", "Audit", "Outcome", "list_events", "record"]

_REQUEST_ID = re.compile(r"[0-9a-f]{32}")


class Outcome(StrEnum):
    """How an access ended; a refused one is recorded with its HTTP status (`"404"`)."""

    ok = "ok"
    replay = "replay"  # an idempotent retry of the intake: the first answer, read again


def record(
    session: Session,
    *,
    actor: str,
    action: Action,
    request_ids: Iterable[str],
    client_address: str | None,
    request_id: str,
    outcome: str = Outcome.ok,
) -> None:
    """Add one audit event to the session's transaction.

    Only ids in the shape of a referral request id are kept: a refused attempt may name
    anything in its path, and what a caller typed there is not ours to log.
    """
    ids = list(dict.fromkeys(i for i in request_ids if _REQUEST_ID.fullmatch(i)))
    row = {
        "actor": actor,
        "action": action,
        "client_address": client_address,
        "request_id": request_id,
        "outcome": outcome,
    }
    (audit_event_id,) = insert_rows(session, AuditEvent, row).inserted_primary_key
    if ids:
        requests = [
            {"audit_event_id": audit_event_id, "referral_request_id": i, "position": n}
            for n, i in enumerate(ids)
        ]
        insert_rows(session, AuditEventRequest, requests)


@dataclass
class Audit:
    """One HTTP request's audit context: who, from where, under which request id.

    A service calls `record` once, as soon as it knows which requests it touches. If the
    access is then refused, the request's transaction rolls the event back with everything
    else; `refused` records the attempt again, with its status, in a short transaction.
    """

    actor: str
    client_address: str | None
    request_id: str
    _attempt: tuple[Session, Action, list[str]] | None = field(default=None, repr=False)

    def record(
        self,
        session: Session,
        *,
        action: Action,
        request_ids: Iterable[str],
        outcome: Outcome = Outcome.ok,
    ) -> None:
        """Record this request's one access to the referral requests `request_ids`."""
        if self._attempt is not None:
            raise RuntimeError("This request's access is already recorded.")
        ids = list(request_ids)
        self._attempt = (session, action, ids)
        record(session, **self._context(), action=action, request_ids=ids, outcome=outcome)

    def refused(self, *, status: int) -> None:
        """After the request's transaction rolled back: record the attempt as refused."""
        if self._attempt is None:
            return
        session, action, ids = self._attempt
        record(session, **self._context(), action=action, request_ids=ids, outcome=str(status))
        session.commit()

    def _context(self) -> dict:
        return {
            "actor": self.actor,
            "client_address": self.client_address,
            "request_id": self.request_id,
        }


def _read(audit_event: AuditEvent) -> AuditEventRead:
    return AuditEventRead(
        id=audit_event.id,
        at=audit_event.at,
        actor=audit_event.actor,
        action=audit_event.action,
        referral_request_ids=[r.referral_request_id for r in audit_event.requests],
        client_address=audit_event.client_address,
        request_id=audit_event.request_id,
        outcome=audit_event.outcome,
    )


def list_events(session: Session, *, filters: AuditFilters) -> Page[AuditEventRead]:
    """Audit events, newest first, by referral request, actor, action and time."""
    query = select(AuditEvent)
    if filters.referral_request_id is not None:
        query = query.join(AuditEventRequest).where(
            AuditEventRequest.referral_request_id == filters.referral_request_id
        )
    if filters.actor is not None:
        query = query.where(AuditEvent.actor == filters.actor)
    if filters.action is not None:
        query = query.where(AuditEvent.action == filters.action)
    if filters.since is not None:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEvent.at < filters.until)
    rows, total = page_of(
        session,
        query,
        AuditEvent.at.desc(),
        AuditEvent.id.desc(),
        limit=filters.limit,
        offset=filters.offset,
    )
    return Page(
        items=[_read(e) for e in rows], total=total, limit=filters.limit, offset=filters.offset
    )
