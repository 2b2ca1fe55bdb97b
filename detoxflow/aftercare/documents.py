"""The discharge summary and the patient handout, as PDFs rendered by WeasyPrint from HTML templates.

The summary is written for the clinician who takes the patient over: the diagnosis, where the patient comes from
and whom to call, what they leave on and what was stopped, the taper as it was actually given, and who signs it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.admissions.hotlines import HOTLINES
from detoxflow.aftercare.models import DischargeMedication, OrderDisposition
from detoxflow.aftercare.services import checklist_for, plan_for
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.clinical.dsm5 import Criterion
from detoxflow.clinical.stages import Stage
from detoxflow.episodes.models import Episode, StageTransition
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications.models import MedicationAdministration, MedicationRequest, TaperPlan


@dataclass(frozen=True)
class Diagnosis:
    """The opioid use disorder as the intake's DSM-5 assessment recorded it (severity and code are not recomputed)."""

    severity: str
    icd10: str
    criteria: tuple[str, ...]
    supervision_note: bool
    assessed_at: dt.datetime
    assessed_by: str


@dataclass(frozen=True)
class DoseLine:
    """One medicine on one day: what was given, and what the taper planned for that day, if it followed one."""

    medicine: str
    given_mg: Decimal
    doses: int
    planned_mg: Decimal | None


@dataclass(frozen=True)
class DoseDay:
    """A calendar day of the stay with its doses."""

    day: dt.date
    day_of_stay: int
    lines: tuple[DoseLine, ...]


@dataclass(frozen=True)
class Author:
    """Who the summary is from: the clinician who discharged, or, before discharge, the one printing a draft."""

    name: str
    role: str
    at: dt.datetime
    draft: bool


def diagnosis_of(intake: IntakeAssessment | None) -> Diagnosis | None:
    """The recorded diagnosis, or None when intake found no opioid use disorder (or there is no intake)."""
    if intake is None or intake.oud_severity in ("", "none"):
        return None
    criteria = tuple(Criterion(c).label for c in intake.dsm5_criteria if c in Criterion.__members__.values())
    return Diagnosis(
        severity=intake.oud_severity,
        icd10=intake.oud_icd10,
        criteria=criteria,
        supervision_note=intake.only_under_medical_supervision,
        assessed_at=intake.assessed_at,
        assessed_by=intake.assessed_by_name,
    )


def doses_by_day(episode: Episode, orders: list[MedicationRequest], until: dt.date) -> list[DoseDay]:
    """Doses given, summed per medicine and local day, beside the newest taper's plan for each day up to `until`:
    a day the taper planned and nobody gave shows as 0 mg given."""
    given: dict[tuple[dt.date, str], list[Decimal]] = defaultdict(list)
    administrations = MedicationAdministration.objects.filter(episode=episode, status="given").select_related("order")
    for dose in administrations:
        given[(timezone.localdate(dose.at), dose.order.medicine_name)].append(dose.dose_mg)
    planned: dict[tuple[dt.date, str], Decimal] = {}
    names = {order.pk: order.medicine_name for order in orders}
    newest: dict[int, TaperPlan] = {}
    for plan in TaperPlan.objects.filter(order__episode=episode):
        if plan.order_id not in newest or plan.version > newest[plan.order_id].version:
            newest[plan.order_id] = plan
    for order_id, plan in newest.items():
        for day, mg in plan.steps:
            date = dt.date.fromisoformat(day)
            if date <= until:
                planned[(date, names[order_id])] = Decimal(mg)
    first = timezone.localdate(episode.admitted_at) if episode.admitted_at else None
    days: dict[dt.date, list[DoseLine]] = defaultdict(list)
    for key in sorted(set(given) | set(planned)):
        day, medicine = key
        doses = given.get(key, [])
        days[day].append(DoseLine(medicine, sum(doses, Decimal(0)), len(doses), planned.get(key)))
    return [DoseDay(day, (day - first).days + 1 if first else 0, tuple(lines)) for day, lines in sorted(days.items())]


def _author(discharge: StageTransition | None, printed_by: User | None, now: dt.datetime) -> Author:
    if discharge is not None:
        role = Role(discharge.by_role).label if discharge.by_role in Role.values else discharge.by_role
        return Author(discharge.by_name, role, discharge.at, draft=False)
    if printed_by is None:
        return Author("", "", now, draft=True)
    return Author(printed_by.display_name, printed_by.role_label, now, draft=True)


def _context(episode: Episode, *, printed_by: User | None, now: dt.datetime) -> dict[str, Any]:
    plan = plan_for(episode)
    orders = list(MedicationRequest.objects.filter(episode=episode))
    decisions = {d.order_id: d for d in DischargeMedication.objects.filter(episode=episode).select_related("order")}
    discharge = (
        StageTransition.objects.filter(episode=episode, to_stage=Stage.DISCHARGED.value).order_by("-at", "-pk").first()
    )
    until = timezone.localdate(episode.discharged_at or now)
    return {
        "episode": episode,
        "patient": episode.patient,
        "facility": episode.facility,
        "unit": episode.unit,
        "diagnosis": diagnosis_of(IntakeAssessment.objects.filter(episode=episode).first()),
        "plan": plan,
        "items": list(plan.items.select_related("resource")),
        "checklist": checklist_for(episode),
        "orders": [(order, decisions.get(order.pk)) for order in orders],
        "continued": [d for d in decisions.values() if d.disposition == OrderDisposition.CONTINUED],
        "stopped_at_discharge": [d for d in decisions.values() if d.disposition == OrderDisposition.STOPPED],
        "dose_days": doses_by_day(episode, orders, until),
        "given": MedicationAdministration.objects.filter(episode=episode, status="given").count(),
        "last_scores": list(WithdrawalAssessment.objects.filter(episode=episode).order_by("-assessed_at")[:3]),
        "discharge": discharge,
        "author": _author(discharge, printed_by, now),
        "printed_by": printed_by,
        "printed_at": now,
        "hotlines": HOTLINES,
    }


def render_html(
    template: str, episode: Episode, *, printed_by: User | None = None, now: dt.datetime | None = None
) -> str:
    """The HTML of one of the discharge documents, as WeasyPrint lays it out. `printed_by` signs a draft printed
    before discharge; without it the draft names no author."""
    return render_to_string(template, _context(episode, printed_by=printed_by, now=now or timezone.now()))


def render_pdf(
    template: str, episode: Episode, *, printed_by: User | None = None, now: dt.datetime | None = None
) -> bytes:
    """Render one of the discharge documents for the episode."""
    from weasyprint import HTML  # noqa: PLC0415  (imported late: it loads Pango, which only these pages need)

    pdf: bytes = HTML(string=render_html(template, episode, printed_by=printed_by, now=now)).write_pdf()
    return pdf
