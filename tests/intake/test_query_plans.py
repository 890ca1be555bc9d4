"""The intake's lookups seek an index: a scan would grow with the registry."""

import pytest
from sqlalchemy import text

from referrals.intake import service
from tests.conftest import SERVER_URL


@pytest.mark.skipif(SERVER_URL is not None, reason="SQLite's query plan")
def test_the_youngest_accepted_age_is_an_index_seek(session):
    plan = session.execute(text(f"EXPLAIN QUERY PLAN {service._YOUNGEST_ACCEPTED}")).all()
    assert plan[0][-1].endswith("USING COVERING INDEX ix_care_teams_active_min_age (active=?)")
