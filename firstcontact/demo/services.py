"""Load demo data: accounts, invented people and a year of checklists.

Checklists go in through `submit_checklist`, the hub and agencies act through
the named referral operations, and `Timeline` then back-dates the records so
that they spread over the last twelve months.
"""

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from firstcontact.checklists.eligibility import UNDER_MINIMUM_AGE, age_on
from firstcontact.checklists.intake import submit_checklist
from firstcontact.checklists.models import Checklist
from firstcontact.checklists.operations import (
    mark_checklist_reviewed,
    override_eligibility,
)
from firstcontact.delivery.models import MessageStatus, OutboxMessage
from firstcontact.delivery.workdays import due_at
from firstcontact.demo.accounts import (
    DemoAccount,
    create_demo_accounts,
    demo_accounts_exist,
    plan_demo_accounts,
)
from firstcontact.demo.population import POPULATION_FILE, read_district_populations
from firstcontact.demo.postcodes import LEICESTER_ONS_CODE, PostcodeBook
from firstcontact.demo.stories import ReferralStory
from firstcontact.demo.timeline import Timeline, working_time_after, write_columns
from firstcontact.demo.visits import EXTERNAL_ID_PREFIX, Visit, VisitPlanner
from firstcontact.directory.context import SchemeContext
from firstcontact.referrals.models import Referral

# An estimate of a year's checklists, about three a working day across the
# county, because no measured volume is available. Loading takes roughly 40 ms
# of CPU a checklist on SQLite (2-core virtual machine), most of it in the
# referral operations and the messages they write.
DEFAULT_CHECKLISTS = 800
DEFAULT_SEED = 2009
# Share of checklists from people just under the minimum age that the hub
# accepts anyway, for example because they care for an older partner.
OVERRIDE_SHARE = 0.3
OVERRIDE_REASON = (
    "Just under 60 and the main carer for a partner in their eighties, so the "
    "hub accepted the checklist."
)


class DemoError(RuntimeError):
    """The demo data cannot be loaded; the message explains why."""


@dataclass
class DemoResult:
    accounts: list[DemoAccount]
    created: bool
    checklists: int = 0
    referrals: int = 0


def load_demo(
    scheme,
    *,
    checklists: int = DEFAULT_CHECKLISTS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[list[Visit]], Iterable[Visit]] = iter,
) -> DemoResult:
    """Create the demo accounts and data, unless the demo accounts exist.

    Everything is written in one transaction, so a failed load leaves nothing
    behind and the next run starts again. `progress` wraps the list of visits,
    for example in a progress bar.
    """
    context = SchemeContext.load(scheme)
    accounts = plan_demo_accounts(context)
    if demo_accounts_exist(accounts):
        return DemoResult(accounts, created=False)
    with transaction.atomic():
        users = create_demo_accounts(context.scheme, accounts)
        loader = DemoLoader(context, users, seed)
        visits = loader.plan_visits(checklists)
        for visit in progress(visits):
            loader.record_visit(visit)
        loader.finish()
    return DemoResult(
        accounts,
        created=True,
        checklists=loader.demo_checklists().count(),
        referrals=Referral.objects.filter(
            checklist__in=loader.demo_checklists()
        ).count(),
    )


class DemoLoader:
    """Plan and record the visits of one demo load, as the demo users."""

    def __init__(self, context: SchemeContext, users: dict, seed: int):
        self.context = context
        self.users = users
        self.rng = random.Random(seed)
        self.timeline = Timeline()
        self.now = self.timeline.started
        self.today = timezone.localdate(self.now)

    def plan_visits(self, count: int) -> list[Visit]:
        ons_codes = set(self.context.districts_by_ons) | {LEICESTER_ONS_CODE}
        postcodes = PostcodeBook(ons_codes)
        if postcodes.missing():
            raise DemoError(
                "The ONS Postcode Directory has no postcode for district "
                f"{', '.join(postcodes.missing())}; check the scheme's ONS codes."
            )
        populations = read_district_populations()
        missing = sorted(set(self.context.districts_by_ons) - set(populations))
        if missing:
            raise DemoError(
                f"{POPULATION_FILE.name} has no figures for district "
                f"{', '.join(missing)}; the demo needs them to place its people."
            )
        planner = VisitPlanner(
            self.rng, self.context, postcodes, populations, self.today
        )
        return planner.plan(count)

    def record_visit(self, visit: Visit) -> None:
        """Submit one visit's checklist, then let the hub and agencies act on it."""
        received_at = self._received_time(visit)
        self.timeline.begin_step(received_at)
        result = submit_checklist(
            visit.as_payload(),
            self.context,
            channel=Checklist.Channel.BATCH,
            today=self.today,
        )
        if result["status"] == "rejected":
            raise DemoError(
                f"Demo checklist {visit.external_id} was rejected: {result['errors']}"
            )
        if result["status"] == "duplicate":
            return
        checklist_id = result["checklist_id"]
        # Referrals held for want of consent are not in the result, and stay held.
        if result["referrals"]:
            self._tell_stories(checklist_id, start=received_at)
        self._review(checklist_id, result["ineligibility_reasons"], visit, received_at)

    def _received_time(self, visit: Visit) -> datetime.datetime:
        """Return when the hub received the checklist: up to 3 working days later."""
        visit_start = timezone.make_aware(
            datetime.datetime.combine(visit.visit_date, datetime.time(9))
        ) + datetime.timedelta(minutes=self.rng.randint(0, 7 * 60))
        received_at = working_time_after(self.rng, visit_start, self.rng.randint(0, 3))
        return min(received_at, self.now)

    def _review(self, checklist_id, reasons, visit: Visit, received_at) -> None:
        """Mark the checklist reviewed, or accept one from someone just under age."""
        reviewed_at = working_time_after(self.rng, received_at, self.rng.randint(0, 2))
        if reviewed_at > self.now:
            return
        hub = self.users["hub"]
        self.timeline.begin_step(reviewed_at)
        if reasons == [UNDER_MINIMUM_AGE] and self._hub_accepts(visit):
            override_eligibility(checklist_id, hub, reason=OVERRIDE_REASON)
            self._tell_stories(checklist_id, start=reviewed_at)
        else:
            mark_checklist_reviewed(checklist_id, hub)

    def _hub_accepts(self, visit: Visit) -> bool:
        scheme = self.context.scheme
        age = age_on(
            visit.person.date_of_birth, visit.visit_date, scheme.leap_day_birthday
        )
        return age >= scheme.minimum_age - 2 and self.rng.random() < OVERRIDE_SHARE

    def _tell_stories(self, checklist_id, *, start: datetime.datetime) -> None:
        referrals = (
            Referral.objects.filter(checklist_id=checklist_id)
            .select_related("service", "agency")
            .order_by("service__code")
        )
        for referral in referrals:
            ReferralStory(
                referral,
                start=start,
                users=self.users,
                rng=self.rng,
                timeline=self.timeline,
                now=self.now,
            ).tell()

    def demo_checklists(self):
        return Checklist.objects.filter(
            scheme=self.context.scheme, external_id__startswith=EXTERNAL_ID_PREFIX
        )

    def finish(self) -> None:
        """Back-date the load and settle what a year of history left pending."""
        checklists = self.demo_checklists()
        self.timeline.apply(checklists)
        referrals = Referral.objects.filter(checklist__in=checklists)
        self._attribute_to_referrers(checklists)
        _set_due_dates(referrals)
        # The agencies heard of these referrals when they happened, so their
        # messages count as delivered, and the tasks queued for them at commit
        # find nothing to send.
        OutboxMessage.objects.filter(
            referral__in=referrals, status=MessageStatus.PENDING
        ).update(
            status=MessageStatus.DELIVERED, attempts=1, delivered_at=F("created_at")
        )

    def _attribute_to_referrers(self, checklists) -> None:
        """Show each checklist as sent by its agency's demo referrer.

        The checklists go in as a batch import with no user, as paper ones
        typed up at the hub do, so that a year of history sends the referrers
        no notifications. Attributing them afterwards fills the referrers'
        pages.
        """
        for username, user in self.users.items():
            if username.startswith("referrer-"):
                checklists.filter(agency_id=user.agency_id).update(submitted_by=user)


def _set_due_dates(referrals) -> None:
    """Set each forwarded referral's due date from its back-dated forwarding."""
    rows = [
        (referral.pk, [due_at(referral.forwarded_at, referral.service.response_days)])
        for referral in referrals.exclude(forwarded_at=None).select_related("service")
    ]
    write_columns(Referral, ["due_at"], rows)
