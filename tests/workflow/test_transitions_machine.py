"""A hypothesis state machine drives the loop at random: no illegal move is ever accepted."""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from referrals.workflow.transitions import (
    ACTIVE,
    REFERRAL_ALLOWED,
    REQUEST_ALLOWED,
    ReferralStatus,
)
from tests.intake.payloads import with_clinical

REFERRAL_STATUSES = list(ReferralStatus)
REQUEST_TARGETS = ["new", "in_review", "referred", "closed"]


def test_no_illegal_transition_is_ever_accepted(desk, teams):
    class Loop(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.request_id = desk.intake(with_clinical(psychosis_history=True))
            self.status = "new"
            self.cleared = False
            self.referrals: dict[str, str] = {}

        @rule(cleared=st.booleans())
        def review(self, cleared):
            response = desk.post(
                f"/referral-requests/{self.request_id}/review", {"cleared": cleared}
            )
            assert response.status_code == 200
            self.cleared = cleared

        @rule(team=st.integers(0, 2))
        def refer(self, team):
            response = desk.refer(self.request_id, teams[team].id)
            allowed = (
                self.status != "closed"
                and self.cleared
                and not any(s in ACTIVE for s in self.referrals.values())
            )
            assert response.status_code == (201 if allowed else 409), response.text
            if allowed:
                self.referrals[response.json()["id"]] = "sent"
                self.status = "referred"

        @rule(data=st.data(), to=st.sampled_from(REFERRAL_STATUSES))
        def move_referral(self, data, to):
            if not self.referrals:
                return
            referral_id = list(self.referrals)[data.draw(st.integers(0, len(self.referrals) - 1))]
            current = ReferralStatus(self.referrals[referral_id])
            response = desk.move(referral_id, to)
            allowed = to in REFERRAL_ALLOWED[current]
            assert response.status_code == (200 if allowed else 409), response.text
            if allowed:
                self.referrals[referral_id] = to
                if to == ReferralStatus.completed:
                    self.status = "closed"

        @rule(to=st.sampled_from(REQUEST_TARGETS))
        def move_request(self, to):
            response = desk.patch(f"/referral-requests/{self.request_id}", {"status": to})
            with_a_team = any(s in ACTIVE for s in self.referrals.values())
            allowed = to in REQUEST_ALLOWED[self.status] and not (to == "closed" and with_a_team)
            assert response.status_code == (200 if allowed else 409), response.text
            if allowed:
                self.status = to

        @invariant()
        def the_server_agrees(self):
            read = desk.get(f"/referral-requests/{self.request_id}").json()
            assert read["status"] == self.status
            assert {r["id"]: r["status"] for r in read["referrals"]} == self.referrals
            assert sum(r["status"] in ACTIVE for r in read["referrals"]) <= 1

    run_state_machine_as_test(
        Loop, settings=settings(max_examples=25, stateful_step_count=15, deadline=None)
    )
