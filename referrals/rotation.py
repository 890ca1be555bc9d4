"""Re-encrypting every stored PHI document with the newest key, in small transactions.

The service keeps working throughout: it decrypts with any configured key, so rows not yet
rotated stay readable, and each batch commits on its own.
"""

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from referrals.intake.models import ReferralRequest
from referrals.phi import PhiCipher
from referrals.workflow.models import Event

BATCH = 500


def rotate(
    sessions: sessionmaker[Session],
    cipher: PhiCipher,
    progress: Callable[[int], None] = lambda _: None,
) -> int:
    """Re-encrypt the PHI of every request and event note; how many values were rewritten."""
    rewritten = 0
    for model, column in ((ReferralRequest, "phi"), (Event, "note")):
        last = None
        while True:
            with sessions.begin() as session:
                key = model.__mapper__.primary_key[0]
                query = select(model).where(getattr(model, column).is_not(None)).order_by(key)
                if last is not None:
                    query = query.where(key > last)
                rows = list(session.scalars(query.limit(BATCH).with_for_update()))
                for row in rows:
                    setattr(row, column, cipher.rotate(getattr(row, column)))
            if not rows:
                break
            last = rows[-1].id
            rewritten += len(rows)
            progress(len(rows))
    return rewritten
