"""Consents, disclosures and the accounting of disclosures for one patient."""

from __future__ import annotations

import contextlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import get_for, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.aftercare.documents import render_pdf
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.consent import services
from detoxflow.consent.coverage import Category
from detoxflow.consent.forms import ConsentForm, DisclosureForm
from detoxflow.consent.models import Consent
from detoxflow.errors import InvalidInput
from detoxflow.patients.models import Patient
from detoxflow.patients.queries import get_patient_for
from detoxflow.web.downloads import content_disposition
from detoxflow.web.forms import show_on_form


def _page(request: HttpRequest, patient: Patient, status: int = 200, **forms: object) -> HttpResponse:
    return render(
        request,
        "consent/consents.html",
        {
            "patient": patient,
            "consents": list(patient.consents.all()),
            "disclosures": list(patient.disclosures.all()),
            "consent_form": forms.get("consent_form") or ConsentForm(initial={"starts": timezone.localdate()}),
            "disclosure_form": forms.get("disclosure_form") or DisclosureForm(),
            "episode": patient.episodes.order_by("-opened_at").first(),
        },
        status=status,
    )


def consents(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's consents and the accounting of every disclosure made."""
    patient = get_patient_for(request, patient_id, Action.VIEW_PATIENT)
    record_request_event(request, "consent.view", patient_id=patient.pk)
    return _page(request, patient)


@require_POST
def add_consent(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for(request, patient_id, Action.RECORD_CONSENT)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_consent(
                staff_member(request), patient, form.cleaned_data, now=timezone.now(), address=client_address(request)
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("consents", patient.pk)
    return _page(request, patient, 400, consent_form=form)


@require_POST
def revoke_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = get_for(request, Consent, consent_id, Action.RECORD_CONSENT)
    with contextlib.suppress(InvalidInput):  # already revoked: the page shows the date
        services.revoke(staff_member(request), consent, now=timezone.now(), address=client_address(request))
    return redirect("consents", consent.patient_id)


@require_POST
def disclose_summary(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Send the discharge summary outside the program: only under an active consent, with the notice, logged."""
    patient = get_patient_for(request, patient_id, Action.DISCLOSE)
    episode = patient.episodes.order_by("-opened_at").first()
    form = DisclosureForm(request.POST)
    if not form.is_valid() or episode is None:
        return _page(request, patient, 400, disclosure_form=form)
    try:
        services.authorize_disclosure(
            staff_member(request),
            patient,
            recipient=form.cleaned_data["recipient"],
            category=Category.DISCHARGE_SUMMARY,
            purpose=form.cleaned_data["purpose"],
            what=f"Discharge summary, episode {episode.pk}",
            now=timezone.now(),
            address=client_address(request),
        )
    except InvalidInput as error:
        show_on_form(form, error)
        return _page(request, patient, error.status_code, disclosure_form=form)
    pdf = render_pdf("aftercare/summary.html", episode, printed_by=staff_member(request), now=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"discharge-summary-{patient.mrn}-disclosure.pdf")
    return response
