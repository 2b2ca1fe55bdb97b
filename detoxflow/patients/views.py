"""Patient page, registration and allergies."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from detoxflow.accounts.access import require, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.assessments.queries import trend_charts
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.episodes.forms import StageChangeForm
from detoxflow.errors import InvalidInput
from detoxflow.medications.queries import doses_for_chart
from detoxflow.patients import services
from detoxflow.patients.forms import AllergyForm, PatientForm
from detoxflow.patients.queries import get_patient_for, patient_record
from detoxflow.web.forms import show_on_form


def patient_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Demographics, allergies and every episode with its timeline."""
    get_patient_for(request, patient_id, Action.VIEW_PATIENT)
    patient = patient_record(patient_id)
    record_request_event(request, "patient.view", patient_id=patient.pk, object_type="Patient", object_id=patient.pk)
    episodes = list(patient.episodes.all())
    current = next((e for e in episodes if e.is_open), None)
    shown = current or (episodes[0] if episodes else None)
    assessments = list(shown.withdrawal_assessments.all()) if shown else []
    return render(
        request,
        "patients/patient.html",
        {
            "patient": patient,
            "episodes": episodes,
            "current": current,
            "age": patient.age_on(timezone.localdate()),
            "stage_form": StageChangeForm(episode=current, role=staff_member(request).role) if current else None,
            "allergy_form": AllergyForm(),
            "trends": trend_charts(shown, assessments, timezone.now(), doses_for_chart(shown)) if shown else [],
            "recent_assessments": assessments[-8:][::-1],
        },
    )


def register_patient(request: HttpRequest) -> HttpResponse:
    """A new patient in the user's facility."""
    require(request, Action.REGISTER_PATIENT)
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.register_patient(
                staff_member(request),
                form.cleaned_data,
                address=client_address(request),
                now=timezone.now(),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("patient", patient.pk)
    return render(request, "patients/register.html", {"form": form}, status=400 if form.errors else 200)


def add_allergy(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Record an allergy from the patient page."""
    patient = get_patient_for(request, patient_id, Action.EDIT_PATIENT)
    form = AllergyForm(request.POST)
    if form.is_valid():
        try:
            services.record_allergy(
                staff_member(request),
                patient,
                form.cleaned_data["substance"],
                form.cleaned_data["reaction"],
                address=client_address(request),
            )
        except InvalidInput as error:
            show_on_form(form, error)
        else:
            return redirect("patient", patient.pk)
    return render(request, "patients/allergy_form.html", {"patient": patient, "form": form}, status=400)


@require_POST
def no_known_allergies(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Record "no known allergies" as the patient's answer, from the patient page."""
    patient = get_patient_for(request, patient_id, Action.EDIT_PATIENT)
    try:
        services.record_no_known_allergies(
            staff_member(request), patient, now=timezone.now(), address=client_address(request)
        )
    except InvalidInput as error:
        return render(
            request,
            "patients/allergy_form.html",
            {"patient": patient, "form": AllergyForm(), "error": error.message},
            status=400,
        )
    return redirect("patient", patient.pk)
