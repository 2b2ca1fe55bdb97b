"""Who may do what: the one Role x Action table that views, API and templates consult."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    """The jobs on a detox unit; each user holds exactly one."""

    INTAKE_COORDINATOR = "intake_coordinator", "Intake coordinator"
    NURSE = "nurse", "Nurse"
    PHYSICIAN = "physician", "Physician"
    COUNSELOR = "counselor", "Counselor"
    UNIT_MANAGER = "unit_manager", "Unit manager"
    ADMINISTRATOR = "administrator", "Administrator"


class Action(models.TextChoices):
    """Things a user can ask to do; each route names the one it needs."""

    SCREEN_CALLS = "screen_calls", "Work the intake queue and phone screens"
    VIEW_CENSUS = "view_census", "View unit census"
    VIEW_PATIENT = "view_patient", "View a patient's record"
    REGISTER_PATIENT = "register_patient", "Register a patient"
    EDIT_PATIENT = "edit_patient", "Edit demographics and allergies"
    OPEN_EPISODE = "open_episode", "Open an episode of care"
    ASSIGN_BED = "assign_bed", "Assign or release a bed"
    ASSIGN_CARE_TEAM = "assign_care_team", "Assign the care team"
    RECORD_INTAKE = "record_intake", "Record the intake assessment"
    DECIDE_DETOX_METHOD = "decide_detox_method", "Confirm or override the recommended detox method"
    WRITE_TREATMENT_PLAN = "write_treatment_plan", "Write the treatment plan"
    RECORD_ASSESSMENT = "record_assessment", "Chart a withdrawal assessment and vitals"
    SIGN_ORDER = "sign_order", "Sign or stop a medication order"
    ADMINISTER_DOSE = "administer_dose", "Record a dose on the medication administration record"
    OVERRIDE_SAFETY_STOP = "override_safety_stop", "Override a hard stop of the dose safety check"
    KEEP_CONTROLLED_LOG = "keep_controlled_log", "Receive, waste and count controlled medicines"
    RESOLVE_DISCREPANCY = "resolve_discrepancy", "Resolve a controlled-substance count discrepancy"
    CHANGE_STAGE = "change_stage", "Move an episode to its next stage"
    DISCHARGE = "discharge", "Discharge a patient"
    VIEW_FACILITY = "view_facility", "View facilities, units and beds"
    VIEW_AUDIT_LOG = "view_audit_log", "View the audit log"
    EMERGENCY_ACCESS = "emergency_access", "Read a patient outside one's unit in an emergency"
    VIEW_DIRECTORY = "view_directory", "Search the community resource directory"
    PLAN_AFTERCARE = "plan_aftercare", "Build the aftercare plan and the discharge checklist"
    RECORD_CONSENT = "record_consent", "Record or revoke a consent for disclosure"
    DISCLOSE = "disclose", "Disclose records outside the program under a consent"
    CALL_FOLLOW_UP = "call_follow_up", "Make and record follow-up calls"
    VIEW_OUTCOMES = "view_outcomes", "View the outcomes report"
    MANAGE_DIRECTORY = "manage_directory", "Import the resource directory"
    CONFIGURE_RULES = "configure_rules", "Change the facility's clinical rule values"
    ADMINISTER_STAFF = "administer_staff", "Create, unlock, reset and deactivate staff accounts"


_CLINICAL = {Role.INTAKE_COORDINATOR, Role.NURSE, Role.PHYSICIAN, Role.COUNSELOR, Role.UNIT_MANAGER}

# Minimum necessary (42 CFR Part 2, HIPAA): the administrator runs the system and reads
# the audit log but does not read patient records.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.SCREEN_CALLS: frozenset({Role.INTAKE_COORDINATOR, Role.NURSE, Role.PHYSICIAN, Role.UNIT_MANAGER}),
    Action.VIEW_CENSUS: frozenset(_CLINICAL),
    Action.VIEW_PATIENT: frozenset(_CLINICAL),
    Action.REGISTER_PATIENT: frozenset({Role.INTAKE_COORDINATOR, Role.NURSE, Role.PHYSICIAN, Role.UNIT_MANAGER}),
    Action.EDIT_PATIENT: frozenset({Role.INTAKE_COORDINATOR, Role.NURSE, Role.PHYSICIAN}),
    Action.OPEN_EPISODE: frozenset({Role.INTAKE_COORDINATOR, Role.PHYSICIAN, Role.UNIT_MANAGER}),
    Action.ASSIGN_BED: frozenset({Role.INTAKE_COORDINATOR, Role.NURSE, Role.UNIT_MANAGER}),
    Action.ASSIGN_CARE_TEAM: frozenset({Role.NURSE, Role.PHYSICIAN, Role.UNIT_MANAGER}),
    Action.RECORD_INTAKE: frozenset({Role.NURSE, Role.PHYSICIAN}),
    # Choosing how withdrawal is managed is a medical decision.
    Action.DECIDE_DETOX_METHOD: frozenset({Role.PHYSICIAN}),
    Action.WRITE_TREATMENT_PLAN: frozenset({Role.NURSE, Role.PHYSICIAN, Role.COUNSELOR}),
    Action.RECORD_ASSESSMENT: frozenset({Role.NURSE, Role.PHYSICIAN}),
    Action.SIGN_ORDER: frozenset({Role.PHYSICIAN}),
    Action.ADMINISTER_DOSE: frozenset({Role.NURSE, Role.PHYSICIAN}),
    # A hard stop is a clinical judgement to set aside: physicians only, with a recorded reason.
    Action.OVERRIDE_SAFETY_STOP: frozenset({Role.PHYSICIAN}),
    Action.KEEP_CONTROLLED_LOG: frozenset({Role.NURSE, Role.PHYSICIAN, Role.UNIT_MANAGER}),
    # A count that does not match is the manager's to investigate and close (DEA recordkeeping practice).
    Action.RESOLVE_DISCREPANCY: frozenset({Role.UNIT_MANAGER}),
    Action.CHANGE_STAGE: frozenset({Role.NURSE, Role.PHYSICIAN}),
    # Administrative discharges (e.g. a no-show) fall to the manager; clinical ones to the physician.
    Action.DISCHARGE: frozenset({Role.PHYSICIAN, Role.UNIT_MANAGER}),
    Action.VIEW_FACILITY: frozenset(Role),
    Action.VIEW_AUDIT_LOG: frozenset({Role.UNIT_MANAGER, Role.ADMINISTRATOR}),
    Action.EMERGENCY_ACCESS: frozenset(_CLINICAL),
    # The directory holds no patient data: everyone may search it; counselors and managers keep it.
    Action.VIEW_DIRECTORY: frozenset(Role),
    Action.PLAN_AFTERCARE: frozenset({Role.COUNSELOR, Role.NURSE, Role.PHYSICIAN}),
    Action.RECORD_CONSENT: frozenset({Role.INTAKE_COORDINATOR, Role.COUNSELOR, Role.NURSE, Role.PHYSICIAN}),
    Action.DISCLOSE: frozenset({Role.COUNSELOR, Role.PHYSICIAN, Role.UNIT_MANAGER}),
    Action.CALL_FOLLOW_UP: frozenset({Role.COUNSELOR, Role.NURSE, Role.INTAKE_COORDINATOR}),
    # Aggregate figures only, no names: managers and physicians steer the program with them.
    Action.VIEW_OUTCOMES: frozenset({Role.UNIT_MANAGER, Role.PHYSICIAN, Role.ADMINISTRATOR}),
    Action.MANAGE_DIRECTORY: frozenset({Role.COUNSELOR, Role.UNIT_MANAGER, Role.ADMINISTRATOR}),
    # The medical director is a physician; thresholds are clinical decisions.
    Action.CONFIGURE_RULES: frozenset({Role.PHYSICIAN}),
    # Accounts are the administrator's; no clinical role hands out access to records.
    Action.ADMINISTER_STAFF: frozenset({Role.ADMINISTRATOR}),
}


def role_may(role: str, action: Action) -> bool:
    """True if the role is allowed the action by the table."""
    return role in PERMISSIONS[action]
