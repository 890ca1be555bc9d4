"""`GET /audit-events`: the access log, for admins. There is no route that edits it."""

from typing import Annotated

from fastapi import APIRouter

from referrals.audit import service
from referrals.audit.schemas import AuditEventRead, AuditFilters
from referrals.deps import AdminKey, SessionDep
from referrals.query import from_query
from referrals.schemas import Page

router = APIRouter(tags=["audit"])


@router.get("/audit-events")
def list_audit_events(
    _: AdminKey, filters: Annotated[AuditFilters, from_query(AuditFilters)], session: SessionDep
) -> Page[AuditEventRead]:
    """Accesses to referral requests, newest first: who, what, which requests, from where."""
    return service.list_events(session, filters=filters)
