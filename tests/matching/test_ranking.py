"""Ranking is a pure function: dominance and "preferences matter" hold for any candidates."""

from hypothesis import given
from hypothesis import strategies as st

from referrals.matching.ranking import Candidate, Preferences, rank, settled
from referrals.registry.vocab import Gender, Program, Role

candidates = st.builds(
    Candidate,
    care_team_id=st.integers(1, 10_000),
    distance_miles=st.floats(0, 30, allow_nan=False),
    wait_days=st.integers(0, 5),
    psychiatrist_gender=st.sampled_from([None, *Gender]),
    anesthesia_role=st.sampled_from([Role.anesthesiologist, Role.crna]),
    telehealth=st.booleans(),
    programs=st.frozensets(st.sampled_from(list(Program))),
)
preferences = st.builds(
    Preferences,
    psychiatrist_gender=st.sampled_from([None, *Gender]),
    anesthesia_type=st.sampled_from([None, Role.anesthesiologist, Role.crna]),
    telehealth=st.booleans(),
    program=st.sampled_from([None, *Program]),
)
unique_candidates = st.lists(candidates, max_size=30, unique_by=lambda c: c.care_team_id)


def _met(ranked) -> set:
    return set(ranked.met)


@given(unique_candidates, preferences)
def test_a_dominating_team_never_ranks_below(found, wanted):
    ranked = rank(found, wanted)
    for i, above in enumerate(ranked):
        for below in ranked[i + 1 :]:
            a, b = below.candidate, above.candidate
            dominates = (
                a.distance_miles <= b.distance_miles
                and a.wait_days <= b.wait_days
                and _met(below) >= _met(above)
            )
            strictly = dominates and (
                a.distance_miles < b.distance_miles
                or a.wait_days < b.wait_days
                or _met(below) > _met(above)
            )
            assert not strictly, (above, below)


@given(unique_candidates, preferences)
def test_one_more_preference_outweighs_five_miles(found, wanted):
    ranked = rank(found, wanted)
    for i, above in enumerate(ranked):
        for below in ranked[i + 1 :]:
            a, b = below.candidate, above.candidate
            assert not (
                _met(below) > _met(above)
                and a.wait_days <= b.wait_days
                and a.distance_miles <= b.distance_miles + 5
            ), (above, below)


@given(unique_candidates, preferences, st.integers(1, 10), st.floats(0, 40))
def test_settled_means_no_farther_team_could_enter(found, wanted, limit, searched):
    near = [c for c in found if c.distance_miles <= searched]
    ranked = rank(near, wanted)
    if settled(ranked, limit=limit, searched_miles=searched, bonus=wanted.max_bonus_miles):
        assert rank(found, wanted)[:limit] == ranked[:limit]


def test_preferences_that_are_not_given_do_not_count():
    team = Candidate(1, 3.0, 7, Gender.male, Role.crna, False, frozenset())
    (ranked,) = rank([team], Preferences())
    assert ranked.met == ranked.unmet == ()
    assert ranked.score == 3.0 + 3.5
