"""An in-memory view of one scheme's directory for intake and routing.

Intake reads the same agencies, districts, services and questions for every
checklist; loading them once per request or batch keeps each checklist to the
queries that write it.
"""

from dataclasses import dataclass, field

from firstcontact.directory.models import (
    Agency,
    ChecklistVersion,
    District,
    Question,
    Scheme,
    Service,
    ServiceOverride,
)


@dataclass
class SchemeContext:
    scheme: Scheme
    agencies: dict[str, Agency]
    districts_by_ons: dict[str, District]
    services: dict[str, Service]
    overrides: dict[tuple, Agency]
    versions: dict[int, ChecklistVersion]
    questions: dict[int, list[Question]] = field(default_factory=dict)

    @classmethod
    def load(cls, scheme: Scheme) -> "SchemeContext":
        agencies = {a.code: a for a in Agency.objects.filter(scheme=scheme)}
        by_id = {a.pk: a for a in agencies.values()}
        districts = list(District.objects.filter(scheme=scheme))
        for district in districts:
            district.council = by_id.get(district.council_id)
        services = {s.code: s for s in Service.objects.filter(scheme=scheme)}
        for service in services.values():
            service.provider = by_id.get(service.provider_id)
        overrides = {
            (o.service_id, o.district_id): by_id[o.provider_id]
            for o in ServiceOverride.objects.filter(service__scheme=scheme)
        }
        versions = {
            v.version: v for v in ChecklistVersion.objects.filter(scheme=scheme)
        }
        services_by_id = {s.pk: s for s in services.values()}
        questions: dict[int, list[Question]] = {number: [] for number in versions}
        version_numbers = {v.pk: v.version for v in versions.values()}
        for question in Question.objects.filter(checklist_version__scheme=scheme):
            question.service = services_by_id[question.service_id]
            questions[version_numbers[question.checklist_version_id]].append(question)
        return cls(
            scheme=scheme,
            agencies=agencies,
            districts_by_ons={d.ons_code: d for d in districts},
            services=services,
            overrides=overrides,
            versions=versions,
            questions=questions,
        )

    def provider_for(self, service: Service, district: District) -> Agency | None:
        """The agency that serves this service in this district, or None."""
        override = self.overrides.get((service.pk, district.pk))
        if override is not None:
            return override
        if service.provider is not None:
            return service.provider
        return district.council
