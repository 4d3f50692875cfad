"""Routing: which referrals a checklist's answers lead to, and to whom.

`plan_referrals` is a pure function of the questions, the answers, the district
and the consent, so it can be tested and re-run for a what-if forecast without
a database write.
"""

from dataclasses import dataclass, field

from firstcontact.directory.context import SchemeContext
from firstcontact.directory.models import Agency, District, Question, Service

NO_CONSENT = "no_consent"
DUPLICATE_OPEN_REFERRAL = "duplicate_open_referral"
PRIORITY_RANK = {"routine": 0, "urgent": 1}


@dataclass
class PlannedReferral:
    service: Service
    agency: Agency
    priority: str
    reasons: list[dict] = field(default_factory=list)
    has_consent: bool = True


def plan_referrals(
    context: SchemeContext,
    questions: list[Question],
    answers: dict[str, str],
    district: District,
    *,
    consent_share: bool,
    consent_except: list[str],
) -> list[PlannedReferral]:
    """Return one planned referral per service the answers ask for.

    Two answers that lead to one service make one referral that carries both
    reasons, at the higher of their priorities. An unanswered question makes no
    referral. The result is sorted by service code.
    """
    planned: dict[str, PlannedReferral] = {}
    for question in questions:
        answer = answers.get(question.code)
        if answer is None or answer != question.refer_on:
            continue
        service = question.service
        reason = {
            "question": question.code,
            "answer": answer,
            "rule": f'answer "{question.refer_on}" to {question.code} refers to '
            f"{service.code} ({question.priority})",
        }
        entry = planned.get(service.code)
        if entry is None:
            agency = context.provider_for(service, district)
            entry = planned[service.code] = PlannedReferral(
                service=service,
                agency=agency,
                priority=question.priority,
                has_consent=consent_share and agency.code not in consent_except,
            )
        elif PRIORITY_RANK[question.priority] > PRIORITY_RANK[entry.priority]:
            entry.priority = question.priority
        entry.reasons.append(reason)
    return [planned[code] for code in sorted(planned)]
