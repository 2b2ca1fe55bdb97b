"""Every page a nurse, physician or intake coordinator uses passes axe-core and fits a 390 px phone.

A small synthetic unit has a patient in every stage (pre-admission to discharged), so each bedside page has
something on it. Each role signs in and opens every page the permission table gives it, as listed in
tests/test_permissions.py ROUTES (every route of detoxflow/*/urls.py, kept complete by that test): axe-core
runs on the page at desktop width and fails the test on any serious or critical violation; then, at 390 px,
the page must not scroll sideways. The findings of every page are written to
test-artifacts/accessibility-every-page.txt, known ones included, so the list below can be worked down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from detoxflow.accounts.permissions import Action, Role, role_may
from detoxflow.admissions.models import CallbackRequest, PhoneScreen
from detoxflow.aftercare.documents import render_html
from detoxflow.aftercare.models import FollowUpTask
from detoxflow.clinical.stages import DischargeType, Stage
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from tests.browser.conftest import ARTIFACTS, PHONE, Axe, Violation, sideways_overflow, sign_in
from tests.builders import recorded_episode
from tests.factories import BedFactory, FacilityFactory, PatientFactory, UnitFactory, UserFactory
from tests.test_permissions import ROUTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

# GET routes not opened here, each with its reason. Everything else in ROUTES that answers HTML is opened.
NOT_WALKED = {
    "staff-list": "the administrator's page, not a nurse's, physician's or coordinator's",
    "staff-detail": "the administrator's page",
    "directory-export": "a CSV download, not a page",
    "discharge-document": "a PDF; the summary's HTML is checked from its template below",
    "aftercare-resources": "an htmx fragment swapped into the aftercare page, not a page of its own",
}

# Pages ROUTES opens at a made-up id (the permission test needs only the answer's code): the real record here.
PATH_OF_PAGE = {"aftercare-item-edit": "/aftercare/items/{item}/"}

# Swagger UI's own markup (contrast, nested buttons, no lang): a developer's page, not a bedside one. It is
# still opened, must render, and must load nothing from another host; axe and the phone width are not asked.
NOT_CHECKED_FOR_ACCESSIBILITY = {"api-docs"}

# Which of the unit's patients each page is opened for: the stage where that page has the most on it.
STAGE_OF_PAGE = {
    "record-arrival": Stage.PRE_ADMISSION,
    "intake": Stage.EVALUATION,
    "intake-assessment": Stage.EVALUATION,
    "taper": Stage.TAPERING,
    "aftercare": Stage.AFTERCARE_PLANNING,
}

ROLES = {Role.NURSE: "nora", Role.PHYSICIAN: "phil", Role.INTAKE_COORDINATOR: "ines"}


def _stay(staff, facility, unit, given, family, mrn, stage, now):
    """A patient on `unit`, taken through the real services to `stage`."""
    patient = PatientFactory(facility=facility, given_name=given, family_name=family, mrn=mrn, phone="555-0142")
    physician = staff[Role.PHYSICIAN]
    if stage in (Stage.PRE_ADMISSION, Stage.EVALUATION):
        episode = episode_services.open_episode(physician, patient, reason="booked", now=now, address=None)
        if stage is Stage.EVALUATION:
            episode_services.change_stage(physician, episode.pk, Stage.EVALUATION, reason="here", now=now, address=None)
        return Episode.objects.get(pk=episode.pk)
    episode = recorded_episode(staff, patient, BedFactory(unit=unit, label=f"N{mrn[-2:]}"), now)
    moves = {
        Stage.TAPERING: [Stage.TAPERING],
        Stage.AFTERCARE_PLANNING: [Stage.TAPERING, Stage.AFTERCARE_PLANNING],
        Stage.DISCHARGED: [Stage.DISCHARGED],
    }
    for target in moves.get(stage, []):
        episode = episode_services.change_stage(
            physician,
            episode.pk,
            target,
            reason="as planned",
            discharge_type=DischargeType.AGAINST_MEDICAL_ADVICE if target is Stage.DISCHARGED else None,
            now=now,
            address=None,
        )
    return Episode.objects.get(pk=episode.pk)


@pytest.fixture
def ward():
    """North unit of the Synthetic Detox Unit: one patient in each stage, a call-back, a phone screen, a follow-up."""
    now = timezone.now() - dt.timedelta(hours=2)
    facility = FacilityFactory(name="Synthetic Detox Unit", code="synth", admissions_phone="555-0100")
    unit = UnitFactory(facility=facility, name="North", code="north")
    BedFactory(unit=unit, label="N90")  # a free bed for the bed board and the booking form
    staff = {
        role: UserFactory(username=name, first_name=name.title(), last_name="Synthetic", role=role, facility=facility)
        for role, name in {**ROLES, Role.UNIT_MANAGER: "manon", Role.COUNSELOR: "cora"}.items()
    }
    names = {
        Stage.PRE_ADMISSION: ("Avery", "Pending"),
        Stage.EVALUATION: ("Blake", "Arriving"),
        Stage.STABILIZATION: ("Alex", "Sampleton"),
        Stage.TAPERING: ("Casey", "Tapering"),
        Stage.AFTERCARE_PLANNING: ("Drew", "Planning"),
        Stage.DISCHARGED: ("Emery", "Gone"),
    }
    episodes = {
        stage: _stay(staff, facility, unit, given, family, f"SYN-{n:06d}", stage, now)
        for n, (stage, (given, family)) in enumerate(names.items(), start=1)
    }
    gone = episodes[Stage.DISCHARGED]
    FollowUpTask.objects.get_or_create(
        facility=facility, episode=gone, day=2, defaults={"due_on": timezone.localdate()}
    )
    CallbackRequest.objects.create(facility=facility, name="Sky", phone="555-0123", received_at=now)
    screen = PhoneScreen.objects.create(
        facility=facility,
        caller_name="Sky",
        caller_relationship="self",
        route="smoking",
        pregnancy="no",
        decision="admit",
        free_beds_at_screen=1,
        screened_at=now,
        screened_by_name="Ines Synthetic",
    )
    stable = episodes[Stage.STABILIZATION]
    ids = {
        "unit": unit.pk,
        "patient": stable.patient_id,
        "episode": stable.pk,
        "order": stable.orders.first().pk,
        "screen": screen.pk,
        "consent": stable.patient.consents.first().pk,
        "task": gone.follow_ups.first().pk,
        "item": stable.aftercare.items.first().pk,
        "code": facility.code,
    }
    return {"facility": facility, "unit": unit, "staff": staff, "episodes": episodes, "ids": ids}


# URL placeholders that make a page a screen about one patient (the banner's context processor reads the same).
PATIENT_KEYS = ("episode", "patient", "order", "item")


def about_one_patient(name: str) -> bool:
    """Whether the page's URL names a patient, an episode or a row of one (the banner reads the same)."""
    path = PATH_OF_PAGE.get(name) or next((p for n, _m, p, _b, _a in ROUTES if n == name), "")
    return name.startswith("patient:") or any(f"{{{key}}}" in path for key in PATIENT_KEYS)


def pages_for(role: Role, ward) -> Iterator[tuple[str, str]]:
    """(page name, path) of every HTML page the role may open, from ROUTES, plus the patient page per stage."""
    for name, method, path, _body, action in ROUTES:
        if method != "get" or path.startswith(("/api/", "/fhir")) or name in NOT_WALKED:
            continue
        if not role_may(role, action):
            continue
        ids = dict(ward["ids"])
        stage = STAGE_OF_PAGE.get(name)
        if stage is not None:
            ids["episode"] = ward["episodes"][stage].pk
        yield name, PATH_OF_PAGE.get(name, path).format(**ids)
    if role_may(role, Action.VIEW_PATIENT):
        for stage, episode in ward["episodes"].items():
            yield f"patient:{stage.value}", f"/patients/{episode.patient_id}/"
    yield "api-docs", "/api/docs"


class Findings:
    """What each page showed: blocking axe violations and sideways scrolling, split into known and new."""

    def __init__(self, who: str) -> None:
        self.who = who
        self.violations: dict[str, list[Violation]] = {}
        self.overflow: dict[str, str] = {}

    def check(self, page: Page, axe: Axe, name: str) -> None:
        page.set_viewport_size(DESKTOP)
        self.violations[name] = axe.violations(page)
        page.set_viewport_size(PHONE)
        self.overflow[name] = sideways_overflow(page)
        page.set_viewport_size(DESKTOP)

    def unexpected(self) -> list[str]:
        problems = []
        for name, found in self.violations.items():
            problems += [f"{name}: {v.describe()}" for v in found if v.blocking]
        for name, overflow in self.overflow.items():
            if overflow:
                problems.append(f"{name}: scrolls sideways at 390 px: {overflow}")
        return problems

    def write(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        lines = [f"# {self.who}: axe-core findings (serious and critical fail) and 390 px overflow, every page"]
        for name, found in self.violations.items():
            blocking = sorted({v.rule for v in found if v.blocking})
            lines.append(f"{name}: " + (", ".join(blocking) or "no serious/critical"))
            lines += [f"    {'FAILS ' if v.blocking else ''}{v.describe()}" for v in found]
            if self.overflow.get(name):
                lines.append(f"    390 px: {self.overflow[name]}")
        with (ARTIFACTS / "accessibility-every-page.txt").open("a", encoding="utf-8") as report:
            report.write("\n".join(lines) + "\n\n")


@pytest.fixture(scope="module", autouse=True)
def _fresh_report():
    (ARTIFACTS / "accessibility-every-page.txt").unlink(missing_ok=True)


@pytest.mark.parametrize("role", list(ROLES), ids=[r.value for r in ROLES])
def test_every_page_of_the_role_is_accessible_and_fits_a_phone(page, live_server, axe, ward, role):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    findings = Findings(role.value)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.goto(f"{base}/sign-in/")
    findings.check(page, axe, "sign-in")
    sign_in(page, base, ROLES[role])
    for name, path in pages_for(role, ward):
        response = page.goto(base + path)
        assert response is not None
        assert response.status == 200, f"{name} ({path}) answered {response.status} for the {role.label.lower()}"
        if name in NOT_CHECKED_FOR_ACCESSIBILITY:
            expect(page.get_by_role("heading", name="DetoxFlow API")).to_be_visible()
            continue
        findings.check(page, axe, name)
        # Every screen about one patient carries the banner; other screens carry none.
        banners = page.locator(".patient-banner").count()
        assert banners == (1 if about_one_patient(name) else 0), f"{name} ({path}) shows {banners} patient banners"
    findings.write()
    assert outside == [], f"pages loaded files from another host: {outside}"
    problems = findings.unexpected()
    assert problems == [], "\n".join(problems)


def test_public_pages_and_the_error_states_are_accessible(page, live_server, axe, ward):
    """The get-help pages the public uses, the summary the receiving clinician reads, and forms showing errors."""
    base, code = live_server.url, ward["facility"].code
    findings = Findings("public pages, error states, discharge summary")
    for name, path in [("get-help-index", "/get-help/"), ("get-help", f"/get-help/{code}/")]:
        page.goto(base + path)
        findings.check(page, axe, name)
    # A form's error state: errors are announced, and the list stays a list.
    page.evaluate("() => document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")
    page.get_by_role("button", name="Ask for a call back").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    findings.check(page, axe, "get-help:errors")
    sign_in(page, base, "manon")
    page.goto(f"{base}/audit/?start=2026-11-10&end=2026-11-01")
    expect(page.get_by_role("alert")).to_contain_text("The end date is before the start date.")
    findings.check(page, axe, "audit-log:errors")
    page.goto(f"{base}/audit/?patient=Sampleton")
    expect(page.get_by_role("link", name="Sampleton, Alex").first).to_be_visible()
    findings.check(page, axe, "audit-log")
    page.context.clear_cookies()  # signed out: the next sign-in is the nurse's
    sign_in(page, base, "nora")
    page.goto(f"{base}/patients/new/")
    page.evaluate("() => document.querySelectorAll('form').forEach(f => { f.noValidate = true; })")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    findings.check(page, axe, "register-patient:errors")
    # The discharge summary as the PDF renderer is given it, opened as a page.
    gone = ward["episodes"][Stage.DISCHARGED]
    page.set_content(
        render_html("aftercare/summary.html", gone, printed_by=ward["staff"][Role.PHYSICIAN], now=timezone.now())
    )
    findings.check(page, axe, "discharge-summary")
    findings.write()
    problems = findings.unexpected()
    assert problems == [], "\n".join(problems)


def test_the_axe_check_fails_on_a_list_whose_role_is_replaced_and_passes_the_wrapped_one(page, axe):
    """The helper itself: role="alert" on a <ul> is the serious 'listitem' violation; a wrapping div is not."""
    shell = "<!doctype html><html lang='en'><head><title>t</title></head><body><main><h1>t</h1>{}</main></body></html>"
    page.set_content(shell.format("<ul class='errorlist' role='alert'><li>This field is required.</li></ul>"))
    assert [(v.rule, v.impact) for v in axe.blocking(page)] == [("listitem", "serious")]
    with pytest.raises(pytest.fail.Exception, match=r"listitem \[serious\] on li: <li> elements must be contained"):
        axe.check(page)
    page.set_content(
        shell.format("<div role='alert'><ul class='errorlist'><li>This field is required.</li></ul></div>")
    )
    axe.check(page)
    assert axe.blocking(page) == []


def test_every_get_page_in_the_routes_is_walked_or_has_a_reason():
    """ROUTES is the permission test's list of every route; a GET page added there is walked here by default."""
    pages = {
        name for name, method, path, _b, _a in ROUTES if method == "get" and not path.startswith(("/api/", "/fhir"))
    }
    assert set(NOT_WALKED) <= pages | {"discharge-document"}
    assert {
        "census",
        "bed-board",
        "intake-queue",
        "phone-screen",
        "book-bed",
        "patient",
        "intake",
        "chart-assessment",
        "mar",
        "unit-mar",
        "controlled-log",
        "aftercare",
        "follow-ups",
        "clinical-rules",
        "home",
    } <= pages
