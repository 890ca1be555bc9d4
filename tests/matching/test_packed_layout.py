"""The SQLite R*Tree id packs a team's search attributes; its layout must fit the enums."""

import pytest
from sqlalchemy import text

from referrals.matching import sqlite_search as layout
from referrals.registry.vocab import Condition, Modality, Payer, Program
from tests.builders import make_anesthesia_provider, make_care_team, make_provider


def test_every_enum_fits_its_bits():
    assert len(Modality) <= layout.CONDITION_SHIFT
    assert len(Condition) <= layout.PAYER_SHIFT - layout.CONDITION_SHIFT
    assert len(Payer) <= layout.PROGRAM_SHIFT - layout.PAYER_SHIFT
    assert (1 << (layout.PROGRAM_SHIFT + len(Program))) <= layout.TELEHEALTH_BIT


def test_a_team_decodes_from_its_rtree_id(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the packed R*Tree is SQLite's index")
    team = make_care_team(
        session,
        psychiatrist_id=make_provider(session, gender="nonbinary").id,
        anesthesia_provider_id=make_anesthesia_provider(session).id,
        wait_days=37,
        telehealth_consults=True,
        programs=["first_responders", "sliding_scale"],
    )
    session.flush()
    (packed,) = session.execute(
        text("SELECT rtree_id FROM team_rtree_keys WHERE team_id = :id"), {"id": team.id}
    ).one()
    candidate = layout._candidate(packed, 1.5)
    assert candidate.care_team_id == team.id
    assert candidate.wait_days == 37
    assert candidate.psychiatrist_gender == "nonbinary"
    assert candidate.anesthesia_role == "crna"
    assert candidate.telehealth is True
    assert candidate.programs == {Program.first_responders, Program.sliding_scale}
