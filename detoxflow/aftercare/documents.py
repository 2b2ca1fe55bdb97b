"""The discharge summary and the patient handout, as PDFs rendered by WeasyPrint from HTML templates."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from detoxflow.admissions.hotlines import HOTLINES
from detoxflow.aftercare.services import checklist_for, plan_for
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.episodes.models import Episode
from detoxflow.medications.models import MedicationAdministration, MedicationRequest


def _context(episode: Episode) -> dict[str, Any]:
    plan = plan_for(episode)
    return {
        "episode": episode,
        "patient": episode.patient,
        "plan": plan,
        "items": list(plan.items.select_related("resource")),
        "checklist": checklist_for(episode),
        "orders": list(MedicationRequest.objects.filter(episode=episode)),
        "given": MedicationAdministration.objects.filter(episode=episode, status="given").count(),
        "last_scores": list(WithdrawalAssessment.objects.filter(episode=episode).order_by("-assessed_at")[:3]),
        "hotlines": HOTLINES,
    }


def render_pdf(template: str, episode: Episode) -> bytes:
    """Render one of the discharge documents for the episode."""
    from weasyprint import HTML  # noqa: PLC0415  (imported late: it loads Pango, which only these pages need)

    html = render_to_string(template, _context(episode))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
