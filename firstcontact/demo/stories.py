"""Move demo referrals along as the hub and the receiving agencies would.

Each step calls a named operation from `referrals.operations` as a demo user,
so the audit trail is the one real work would leave. A step whose planned time
is still in the future does not happen, so recent referrals are left waiting
for the hub or the agency, and older ones are mostly closed.
"""

import datetime
import random

from firstcontact.demo.timeline import Timeline, working_time_after
from firstcontact.referrals.models import (
    DeclineReason,
    HoldReason,
    Outcome,
    Priority,
    Referral,
    Status,
)
from firstcontact.referrals.operations import (
    accept_referral,
    cancel_referral,
    complete_referral,
    decline_referral,
    forward_referral,
    hold_referral,
    reroute_referral,
    start_referral,
)

CANCEL_SHARE = 0.025
HOLD_SHARE = 0.03
DECLINE_SHARE = 0.07
# Share of declined referrals that the hub cancels. The rest wait for the hub.
CANCEL_AFTER_DECLINE_SHARE = 0.8
# Share of accepted referrals completed without a separate start, such as
# advice given on the first call.
COMPLETE_WITHOUT_START_SHARE = 0.3
LONG_WORK_SHARE = 0.05

# The agency that the hub re-routes a referral to when the first agency
# declines it for want of capacity or as the wrong service, by service code.
REROUTE_TO = {
    "befriending": "val",
    "benefits-check": "citizens-advice",
    "money-advice": "age-concern",
    "activities-learning": "age-concern",
    "community-transport": "age-concern",
}

DECLINE_WEIGHTS = {
    DeclineReason.NO_CAPACITY: 30,
    DeclineReason.ALREADY_SUPPORTED: 25,
    DeclineReason.WRONG_SERVICE: 20,
    DeclineReason.NOT_ELIGIBLE: 15,
    DeclineReason.OUT_OF_AREA: 10,
}
DECLINE_NOTES = {
    DeclineReason.NO_CAPACITY: "Our waiting list is closed until next month.",
    DeclineReason.ALREADY_SUPPORTED: "We have been visiting her fortnightly since "
    "the spring.",
    DeclineReason.WRONG_SERVICE: "This need is better met by a local group.",
    DeclineReason.NOT_ELIGIBLE: "He does not meet our criteria for this service.",
    DeclineReason.OUT_OF_AREA: "The address is just outside the area we cover.",
}
HOLD_NOTES = {
    HoldReason.AWAITING_INFORMATION: "The phone number on the checklist does not "
    "connect; the referrer has been asked to check it.",
    HoldReason.PERSON_UNAVAILABLE: "In hospital after a fall; the family will ring "
    "when she is home.",
}
CANCEL_NOTES = (
    "The person has moved into residential care.",
    "The person asked not to be contacted about this after all.",
    "The agency already had this referral by phone.",
)
OUTCOME_WEIGHTS = {
    Outcome.HELPED: 55,
    Outcome.ADVICE_GIVEN: 20,
    Outcome.DECLINED_BY_PERSON: 10,
    Outcome.NO_CONTACT: 8,
    Outcome.NOT_NEEDED: 7,
}
OUTCOME_NOTES = {
    Outcome.HELPED: "Visit completed and the work done.",
    Outcome.ADVICE_GIVEN: "Advice given by phone, with a leaflet posted.",
    Outcome.DECLINED_BY_PERSON: "Thanked us but did not want the service.",
    Outcome.NO_CONTACT: "Three calls and a card through the door, no reply.",
    Outcome.NOT_NEEDED: "Family had already arranged this.",
}


def weighted_choice(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class ReferralStory:
    """One referral's path from the hub's queue to its outcome."""

    def __init__(
        self,
        referral: Referral,
        *,
        start: datetime.datetime,
        users: dict,
        rng: random.Random,
        timeline: Timeline,
        now: datetime.datetime,
    ):
        self.referral_id = referral.pk
        self.status = referral.status
        self.service_code = referral.service.code
        self.agency_code = referral.agency.code
        self.urgent = referral.priority == Priority.URGENT
        self.clock = start
        self.users = users
        self.hub = users["hub"]
        self.rng = rng
        self.timeline = timeline
        self.now = now

    def tell(self) -> None:
        """Apply every step of the story whose time has come."""
        # A referral held for want of consent waits for the person's consent.
        if self.status != Status.DRAFT:
            return
        draw = self.rng.random()
        if draw < CANCEL_SHARE:
            note = self.rng.choice(CANCEL_NOTES)
            self._step((0, 3), cancel_referral, self.hub, note=note)
            return
        if draw < CANCEL_SHARE + HOLD_SHARE:
            reason = self.rng.choice(list(HOLD_NOTES))
            note = HOLD_NOTES[reason]
            if not self._step(
                (0, 1), hold_referral, self.hub, reason=reason, note=note
            ):
                return
            days = (3, 60) if reason == HoldReason.PERSON_UNAVAILABLE else (3, 20)
            if not self._step(days, forward_referral, self.hub):
                return
        elif not self._step(
            (0, 0) if self.urgent else (0, 3), forward_referral, self.hub
        ):
            return
        self._agency_works(may_reroute=True)

    def _agency_works(self, *, may_reroute: bool) -> None:
        agency_user = self.users[f"agency-{self.agency_code}"]
        if self.rng.random() < DECLINE_SHARE:
            reason = weighted_choice(self.rng, DECLINE_WEIGHTS)
            note = DECLINE_NOTES[reason]
            if self._step(
                (1, 7), decline_referral, agency_user, reason=reason, note=note
            ):
                self._hub_handles_decline(reason, may_reroute=may_reroute)
            return
        if not self._step(
            (0, 2) if self.urgent else (1, 10), accept_referral, agency_user
        ):
            return
        if self.rng.random() >= COMPLETE_WITHOUT_START_SHARE:
            if not self._step((0, 14), start_referral, agency_user):
                return
        if self.rng.random() < LONG_WORK_SHARE:
            days = (90, 250)
        else:
            days = (5, 60)
        outcome = weighted_choice(self.rng, OUTCOME_WEIGHTS)
        note = OUTCOME_NOTES[outcome]
        self._step(days, complete_referral, agency_user, outcome=outcome, note=note)

    def _hub_handles_decline(self, reason, *, may_reroute: bool) -> None:
        alternative = REROUTE_TO.get(self.service_code)
        can_reroute = (
            may_reroute
            and reason in {DeclineReason.NO_CAPACITY, DeclineReason.WRONG_SERVICE}
            and alternative in self._agencies_with_users()
            and alternative != self.agency_code
        )
        if can_reroute:
            note = "Sent to another agency after the first one declined it."
            if self._step(
                (1, 3), reroute_referral, self.hub, agency_code=alternative, note=note
            ):
                self.agency_code = alternative
                self._agency_works(may_reroute=False)
        elif self.rng.random() < CANCEL_AFTER_DECLINE_SHARE:
            note = f"Declined by the agency: {reason.label}"
            self._step((1, 5), cancel_referral, self.hub, note=note)

    def _agencies_with_users(self) -> set[str]:
        """Return the codes of agencies that have a demo agency user."""
        prefix = "agency-"
        return {name[len(prefix) :] for name in self.users if name.startswith(prefix)}

    def _step(self, days: tuple[int, int], operation, user, **data) -> bool:
        """Run the operation at its planned time, or return False if that is to come."""
        planned = working_time_after(self.rng, self.clock, self.rng.randint(*days))
        if planned > self.now:
            return False
        self.timeline.begin_step(planned)
        operation(self.referral_id, user, **data)
        self.clock = planned
        return True
