"""Plan a year of invented home visits as exchange-format checklists.

Every choice comes from one seeded `random.Random`, so the same seed, volume
and day plan the same visits.
"""

import datetime
import random
from dataclasses import dataclass

from firstcontact.checklists.eligibility import age_on
from firstcontact.demo.equality import invent_monitoring
from firstcontact.demo.names import (
    invent_address,
    invent_name,
    invent_phone,
    invent_worker_name,
    retype_name,
)
from firstcontact.demo.population import AGE_BANDS, DistrictPopulation
from firstcontact.demo.postcodes import LEICESTER_ONS_CODE, PostcodeBook
from firstcontact.directory.context import SchemeContext
from firstcontact.directory.models import District
from firstcontact.reports.census import age_band_for

EXTERNAL_ID_PREFIX = "DEMO-"

# Relative number of checklists each referrer completes, as the demo assumes
# them: the fire service's home safety visits and Age Concern are the largest
# sources, and a district council visits only in its own district. Agencies
# not listed get 3.
REFERRER_WEIGHTS = {
    "fire-rescue": 25,
    "age-concern": 15,
    "nhs-lcr": 10,
    "police": 10,
    "pension-service": 8,
    "care-and-repair": 5,
    "val": 5,
    "trading-standards": 4,
    "open-network": 2,
    "rutland-community-spirit": 1,
}
COUNCIL_REFERRER_WEIGHT = 8
# Referrers that visit only one district, besides the district councils.
LOCAL_REFERRERS = {"va-blaby": "blaby"}

# Chance that a person needs the service a question leads to, before the
# person's overall level of need is applied. Chosen so that an average
# checklist makes about two referrals. Questions not listed get 0.08.
NEED_CHANCES = {
    "smoke-alarm": 0.2,
    "fire-risk": 0.11,
    "home-security": 0.11,
    "crime-victim": 0.04,
    "doorstep": 0.09,
    "benefits": 0.27,
    "money": 0.07,
    "warmth": 0.15,
    "repairs": 0.09,
    "mobility": 0.13,
    "falls": 0.18,
    "alarm": 0.12,
    "lonely": 0.19,
    "daily-living": 0.08,
    "carer": 0.06,
    "transport": 0.1,
    "activities": 0.11,
    "lifestyle": 0.05,
}

# Shares of checklists with each feature, invented for the demo.
UNDER_AGE_SHARE = 0.03
OUT_OF_AREA_SHARE = 0.03
SELF_REFERRAL_SHARE = 0.01
REPEAT_VISIT_SHARE = 0.04
MOVED_HOUSE_SHARE = 0.005
CONSENT_EXCEPT_SHARE = 0.04
NO_CONSENT_SHARE = 0.01
SAFEGUARDING_SHARE = 0.015
# Roughly the share of women among people aged 60 and over.
FEMALE_SHARE = 0.54
# How much likelier someone in each age band is to have a visit than someone
# aged 60 to 64, because needs grow with age. A rough estimate.
VISIT_LIKELIHOOD_BY_BAND = {
    "60-64": 1,
    "65-69": 1.3,
    "70-74": 1.7,
    "75-79": 2.2,
    "80-84": 2.8,
    "85-89": 3.2,
    "90+": 3.2,
}

SAFEGUARDING_CONCERNS = (
    "A neighbour says a relative collects her pension each week, and she seemed "
    "afraid to talk about money.",
    "Bruising on both arms. He said he had fallen, but his account changed "
    "during the visit.",
    "The house was very cold with little food in the kitchen, and she has not "
    "seen anyone for weeks.",
    "A man who did work on the roof keeps calling round and asking for more "
    "money. She is frightened to open the door.",
)


@dataclass
class Person:
    sex: str
    ethnic_group: str
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    address_line_1: str
    postcode: str
    district_code: str
    phone: str
    lives_alone: bool
    # Equality monitoring answers other than the age band, or {} if none.
    monitoring: dict[str, str]

    def as_payload(self) -> dict:
        person = {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "address_line_1": self.address_line_1,
            "postcode": self.postcode,
            "lives_alone": self.lives_alone,
        }
        if self.phone:
            person["phone"] = self.phone
        return person


@dataclass
class Visit:
    person: Person
    visit_date: datetime.date
    agency_code: str
    worker: str
    source: str
    answers: dict[str, str]
    consent_share: bool
    consent_except: list[str]
    safeguarding_concern: str
    checklist_version: int
    equality: dict[str, str]
    external_id: str = ""

    def as_payload(self) -> dict:
        payload = {
            "external_id": self.external_id,
            "checklist_version": self.checklist_version,
            "visit_date": self.visit_date.isoformat(),
            "referrer": {"agency": self.agency_code, "worker": self.worker},
            "source": self.source,
            "person": self.person.as_payload(),
            "consent": {"share": self.consent_share},
            "answers": self.answers,
        }
        if self.consent_except:
            payload["consent"]["except_agencies"] = self.consent_except
        if self.safeguarding_concern:
            payload["safeguarding_concern"] = self.safeguarding_concern
        if self.equality:
            payload["equality"] = self.equality
        return payload


class VisitPlanner:
    """Invent visits for one scheme from one random generator."""

    def __init__(
        self,
        rng: random.Random,
        context: SchemeContext,
        postcodes: PostcodeBook,
        populations: dict[str, DistrictPopulation],
        today: datetime.date,
    ):
        self.rng = rng
        self.context = context
        self.postcodes = postcodes
        self.populations = populations
        self.today = today
        self.version = max(context.versions)
        self.districts = sorted(context.districts_by_ons.values(), key=lambda d: d.code)
        self.days, self.day_weights = self._visit_days()
        self.workers = {
            code: [invent_worker_name(rng) for _ in range(3)]
            for code in sorted(context.agencies)
            if context.agencies[code].has_role("referrer")
        }

    def _visit_days(self):
        """Return the last 365 days and their weights: few Saturdays, no Sundays."""
        days = [self.today - datetime.timedelta(days=n) for n in range(365)]
        weights = [{5: 0.2, 6: 0.0}.get(day.weekday(), 1.0) for day in days]
        return days, weights

    def plan(self, count: int) -> list[Visit]:
        """Return `count` visits in date order, with external ids in that order.

        The first visits go to each district in turn, so even a small demo
        covers every district. A few are repeat visits to someone visited
        earlier in the year.
        """
        repeats = round(count * REPEAT_VISIT_SHARE) if count >= 20 else 0
        visits = [self.plan_first_visit(index) for index in range(count - repeats)]
        visits.sort(key=lambda visit: visit.visit_date)
        for _ in range(repeats):
            visits.append(self.plan_repeat_visit(self.rng.choice(visits)))
        visits.sort(key=lambda visit: visit.visit_date)
        for number, visit in enumerate(visits, 1):
            visit.external_id = f"{EXTERNAL_ID_PREFIX}{number:05d}"
        return visits

    def plan_first_visit(self, index: int) -> Visit:
        district = self._choose_district(index)
        visit_date = self.rng.choices(self.days, weights=self.day_weights)[0]
        draw = self.rng.random()
        under_age = draw < UNDER_AGE_SHARE
        out_of_area = UNDER_AGE_SHARE <= draw < UNDER_AGE_SHARE + OUT_OF_AREA_SHARE
        is_self = draw >= 1 - SELF_REFERRAL_SHARE
        person = self._invent_person(district, visit_date, under_age, out_of_area)
        return self._visit(
            person, district, visit_date, "self" if is_self else "partner"
        )

    def plan_repeat_visit(self, earlier: Visit) -> Visit:
        """Visit someone again, typed differently and perhaps at a new address."""
        previous = earlier.person
        district = next(d for d in self.districts if d.code == previous.district_code)
        person = Person(
            sex=previous.sex,
            ethnic_group=previous.ethnic_group,
            given_name=retype_name(self.rng, previous.given_name),
            family_name=retype_name(self.rng, previous.family_name),
            date_of_birth=previous.date_of_birth,
            address_line_1=previous.address_line_1,
            postcode=previous.postcode,
            district_code=previous.district_code,
            phone=previous.phone,
            lives_alone=previous.lives_alone,
            monitoring=previous.monitoring,
        )
        if self.rng.random() < MOVED_HOUSE_SHARE / REPEAT_VISIT_SHARE:
            person.address_line_1 = invent_address(self.rng)
            person.postcode = self.postcodes.draw(self.rng, district.ons_code)
        gap = datetime.timedelta(days=self.rng.randint(30, 150))
        visit_date = min(earlier.visit_date + gap, self.today)
        if visit_date.weekday() == 6:
            visit_date -= datetime.timedelta(days=1)
        return self._visit(person, district, visit_date, "partner")

    def _choose_district(self, index: int) -> District:
        if index < len(self.districts):
            return self.districts[index]
        # Visits are in proportion to each district's population aged 60+.
        weights = [self.populations[d.ons_code].aged_60_plus for d in self.districts]
        return self.rng.choices(self.districts, weights=weights)[0]

    def _invent_person(self, district, visit_date, under_age, out_of_area) -> Person:
        population = self.populations[district.ons_code]
        age = self._choose_age(population, under_age)
        # Whole years plus part of one, so the age on the visit date is `age`.
        days_old = int(age * 365.2425) + self.rng.randint(2, 360)
        # NOTE: the ethnic mix is for residents of all ages, because the ONS
        # tables have none for people aged 60 and over. Older residents are
        # more often White British than this mix.
        ethnic_groups = population.ethnic_groups
        ethnic_group = self.rng.choices(
            list(ethnic_groups), weights=list(ethnic_groups.values())
        )[0]
        sex = "female" if self.rng.random() < FEMALE_SHARE else "male"
        name = invent_name(self.rng, ethnic_group, sex)
        ons_code = LEICESTER_ONS_CODE if out_of_area else district.ons_code
        has_phone = self.rng.random() < 0.85
        return Person(
            sex=sex,
            ethnic_group=ethnic_group,
            given_name=name.given_name,
            family_name=name.family_name,
            date_of_birth=visit_date - datetime.timedelta(days=days_old),
            address_line_1=invent_address(self.rng),
            postcode=self.postcodes.draw(self.rng, ons_code),
            district_code=district.code,
            phone=invent_phone(self.rng) if has_phone else "",
            lives_alone=self.rng.random() < 0.45,
            monitoring=invent_monitoring(self.rng, ethnic_group, sex, age),
        )

    def _choose_age(self, population: DistrictPopulation, under_age: bool) -> int:
        """Return an age in the district's mix of 60+ bands, or 50 to 59."""
        if under_age:
            # Most people referred too young are only just too young.
            return min(59, int(self.rng.triangular(50, 60, 59)))
        bands = list(population.age_bands)
        weights = [
            population.age_bands[band] * VISIT_LIKELIHOOD_BY_BAND.get(band, 1)
            for band in bands
        ]
        band = self.rng.choices(bands, weights=weights)[0]
        return self.rng.randint(*AGE_BANDS[band])

    def _visit(self, person, district, visit_date, source) -> Visit:
        agency_code = self._choose_referrer(district)
        answers = self._answer_questions()
        consent_share, consent_except = self._choose_consent(district, answers)
        concern = ""
        if self.rng.random() < SAFEGUARDING_SHARE:
            concern = self.rng.choice(SAFEGUARDING_CONCERNS)
        return Visit(
            person=person,
            visit_date=visit_date,
            agency_code=agency_code,
            worker=self.rng.choice(self.workers[agency_code]),
            source=source,
            answers=answers,
            consent_share=consent_share,
            consent_except=consent_except,
            safeguarding_concern=concern,
            checklist_version=self.version,
            equality=self._equality(person, visit_date),
        )

    def _equality(self, person: Person, visit_date: datetime.date) -> dict:
        """Return the person's monitoring answers with their age band that day."""
        if not person.monitoring:
            return {}
        rule = self.context.scheme.leap_day_birthday
        band = age_band_for(age_on(person.date_of_birth, visit_date, rule))
        return {**person.monitoring, "age_band": band} if band else person.monitoring

    def _choose_referrer(self, district: District) -> str:
        codes, weights = [], []
        councils = {d.council.code for d in self.districts if d.council is not None}
        for code in self.workers:
            if code in councils:
                local = district.council is not None and code == district.council.code
                weight = COUNCIL_REFERRER_WEIGHT if local else 0
            elif code in LOCAL_REFERRERS:
                weight = 3 if LOCAL_REFERRERS[code] == district.code else 0
            else:
                weight = REFERRER_WEIGHTS.get(code, 3)
            codes.append(code)
            weights.append(weight)
        return self.rng.choices(codes, weights=weights)[0]

    def _answer_questions(self) -> dict[str, str]:
        """Answer every question, more often with a need for a frailer person."""
        # The mean of lognormvariate(0, 0.5) is exp(0.125); dividing by it
        # keeps the average number of needs as NEED_CHANCES sets it.
        need_level = self.rng.lognormvariate(0, 0.5) / 1.1331
        answers = {}
        for question in self.context.questions[self.version]:
            chance = min(0.9, NEED_CHANCES.get(question.code, 0.08) * need_level)
            needed = self.rng.random() < chance
            other = "no" if question.refer_on == "yes" else "yes"
            answers[question.code] = question.refer_on if needed else other
        return answers

    def _choose_consent(self, district, answers) -> tuple[bool, list[str]]:
        """Return consent to share, and an agency the person refused, if any."""
        draw = self.rng.random()
        if draw < NO_CONSENT_SHARE:
            return False, []
        if draw < NO_CONSENT_SHARE + CONSENT_EXCEPT_SHARE:
            receiving = self._receiving_agencies(district, answers)
            if receiving:
                return True, [self.rng.choice(receiving)]
        return True, []

    def _receiving_agencies(self, district, answers) -> list[str]:
        codes = set()
        for question in self.context.questions[self.version]:
            if answers.get(question.code) == question.refer_on:
                agency = self.context.provider_for(question.service, district)
                if agency is not None:
                    codes.add(agency.code)
        return sorted(codes)
