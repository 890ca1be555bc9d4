"""`POST /referral-requests`: the public intake."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, status

from referrals.audit.context import PublicAudit
from referrals.deps import CipherDep, SessionDep, call_and_commit
from referrals.intake import service
from referrals.intake.ratelimit import rate_limit
from referrals.intake.schemas import IntakeCreate, IntakeReceipt

router = APIRouter(tags=["intake"])
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=service.IDEMPOTENCY_HEADER,
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string; a retry with the same key and body stores nothing new.",
    ),
]


@router.post(
    "/referral-requests",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(rate_limit)],
    responses={413: {"description": "Body over 64 KiB"}, 429: {"description": "Rate limited"}},
)
async def create_referral_request(
    data: IntakeCreate,
    session: SessionDep,
    cipher: CipherDep,
    audit: PublicAudit,
    idempotency_key: IdempotencyKeyHeader = None,
) -> IntakeReceipt:
    """Send a referral request (public); the answer holds nothing that was sent."""
    return await call_and_commit(
        session,
        service.receive,
        data=data,
        idempotency_key=idempotency_key,
        cipher=cipher,
        audit=audit,
    )
