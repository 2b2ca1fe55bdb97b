"""The kinds of audited event, each with the words the audit page shows for it.

The trail stores a short code ("episode.change_stage") because the hash chain and every checkpoint cover
it, so codes are never renamed; a manager reads "Changed stage". A service may pass an `AuditAction` member
as its action (a TextChoices member is its code), which makes a misspelt code an error. Codes not in the
list (a new kind of event, or a refused request, whose code is the permission that was missing) are still
shown in words, never as the code.
"""

from __future__ import annotations

from django.db import models

from detoxflow.accounts.permissions import Action


class AuditAction(models.TextChoices):
    """Every kind of event the product appends to the trail today, in the clinic's words."""

    LOGIN = "login", "Sign-in"
    PASSWORD_CHANGED = "account.password_changed", "Changed own password"
    TWO_FACTOR_ENABLED = "account.two_factor_enabled", "Turned on two-step sign-in"
    BACKUP_CODES = "account.backup_codes", "Made new backup codes"
    STAFF_CREATE = "staff.create", "Created a staff account"
    STAFF_ACTIVATE = "staff.activate", "Reactivated a staff account"
    STAFF_DEACTIVATE = "staff.deactivate", "Deactivated a staff account"
    STAFF_RESET_PASSWORD = "staff.reset_password", "Reset a staff password"
    STAFF_RESET_TWO_FACTOR = "staff.reset_two_factor", "Reset a staff member's two-step sign-in"
    STAFF_UNLOCK = "staff.unlock", "Unlocked a staff account"
    EMERGENCY_ACCESS_GRANT = "emergency_access.grant", "Opened a record in an emergency"
    EMERGENCY_ACCESS_READ = "emergency_access.read", "Read a record under emergency access"
    EMERGENCY_ACCESS_ACKNOWLEDGE = "emergency_access.acknowledge", "Reviewed an emergency access"
    PATIENT_OUTSIDE_UNIT = "patient.outside_unit", "Asked for a patient of another unit"
    UNIT_OUTSIDE_UNIT = "unit.outside_unit", "Asked for another unit's list"
    AUDIT_VIEW = "audit.view", "Viewed the audit log"
    CALLBACK_REQUEST = "callback.request", "Asked for a call back"
    CALLBACK_ATTEMPT = "callback.attempt", "Recorded a call-back attempt"
    INTAKE_QUEUE_VIEW = "intake_queue.view", "Viewed the intake queue"
    PHONE_SCREEN_RECORD = "phone_screen.record", "Recorded a phone screen"
    PHONE_SCREEN_VIEW = "phone_screen.view", "Viewed a phone screen"
    PATIENT_REGISTER = "patient.register", "Registered a patient"
    PATIENT_UPDATE = "patient.update", "Changed patient details"
    PATIENT_VIEW = "patient.view", "Viewed the patient record"
    PATIENT_LIST = "patient.list", "Listed patients"
    PATIENT_SEARCH = "patient.search", "Searched for a patient"
    ALLERGY_RECORD = "allergy.record", "Recorded an allergy"
    NO_KNOWN_ALLERGIES = "allergy.none_known", "Recorded no known allergies"
    EPISODE_OPEN = "episode.open", "Opened an episode"
    EPISODE_ARRIVE = "episode.arrive", "Recorded the patient's arrival"
    EPISODE_ASSIGN_BED = "episode.assign_bed", "Assigned a bed"
    EPISODE_ASSIGN_CARE_TEAM = "episode.assign_care_team", "Assigned the care team"
    EPISODE_CHOOSE_METHOD = "episode.choose_method", "Chose the detox method"
    EPISODE_CHANGE_STAGE = "episode.change_stage", "Changed stage"
    EPISODE_LIST = "episode.list", "Listed episodes"
    EPISODE_VIEW = "episode.view", "Viewed an episode"
    CENSUS_VIEW = "census.view", "Viewed the unit census"
    BED_BOARD_VIEW = "bed_board.view", "Viewed the bed board"
    BED_HOUSEKEEPING = "bed.housekeeping", "Changed a bed's housekeeping state"
    INTAKE_RECORD = "intake.record", "Recorded the intake assessment"
    INTAKE_VIEW = "intake.view", "Viewed the intake"
    INTAKE_DECIDE_METHOD = "intake.decide_method", "Decided the detox method"
    INTAKE_WRITE_PLAN = "intake.write_plan", "Wrote the treatment plan"
    ASSESSMENT_RECORD = "assessment.record", "Charted an assessment"
    ASSESSMENT_VIEW_FORM = "assessment.view_form", "Opened the assessment form"
    ASSESSMENT_LIST = "assessment.list", "Listed assessments"
    TABLET_START = "tablet.start", "Handed a tablet to the patient"
    TABLET_UNLOCK = "tablet.unlock", "Unlocked a tablet"
    ORDER_SIGN = "order.sign", "Signed a medication order"
    ORDER_STOP = "order.stop", "Stopped a medication order"
    ORDER_LIST = "order.list", "Listed medication orders"
    ORDER_SCHEDULE = "order.schedule", "Viewed an order's schedule"
    OVERRIDE_AUTHORISE = "override.authorise", "Authorised a dose override"
    OVERRIDE_LIST = "override.list", "Listed dose overrides"
    DOSE_RECORD = "dose.record", "Recorded a dose"
    MAR_VIEW = "mar.view", "Viewed the medication record"
    MAR_LIST = "mar.list", "Listed the medication record"
    UNIT_MAR_VIEW = "unit_mar.view", "Viewed the unit medication round"
    TAPER_PLAN = "taper.plan", "Planned a taper"
    TAPER_VIEW = "taper.view", "Viewed the taper"
    TAPER_LIST = "taper.list", "Listed the taper"
    MAINTENANCE_OFFER = "maintenance.offer", "Recorded the maintenance offer"
    PROTOCOL_SAVE = "protocol.save", "Saved a protocol"
    RULES_OVERRIDE = "rules.override", "Changed the facility's clinical rules"
    FACILITY_RECORD_NUMBER_PATTERN = "facility.record_number_pattern", "Changed the record number pattern"
    CONTROLLED_RECEIVED = "controlled.received", "Received controlled stock"
    CONTROLLED_DISPENSED = "controlled.dispensed", "Dispensed controlled stock"
    CONTROLLED_WASTED = "controlled.wasted", "Wasted controlled stock (witnessed)"
    CONTROLLED_COUNT = "controlled.count", "Counted controlled stock"
    CONTROLLED_RESOLUTION = "controlled.resolution", "Resolved a count discrepancy"
    CONTROLLED_VIEW = "controlled.view", "Viewed the controlled-substance log"
    AFTERCARE_UPDATE = "aftercare.update", "Changed the aftercare plan"
    AFTERCARE_ADD_ITEM = "aftercare.add_item", "Added to the aftercare plan"
    AFTERCARE_UPDATE_ITEM = "aftercare.update_item", "Changed an aftercare item"
    AFTERCARE_REMOVE_ITEM = "aftercare.remove_item", "Removed an aftercare item"
    AFTERCARE_REVIEW = "aftercare.review", "Reviewed the aftercare plan"
    AFTERCARE_VIEW = "aftercare.view", "Viewed the aftercare plan"
    DISCHARGE_CHECKLIST = "discharge.checklist", "Completed the discharge checklist"
    DISCHARGE_MEDICATIONS = "discharge.medications", "Recorded the discharge medications"
    EXPORT_SUMMARY_PDF = "export.summary_pdf", "Printed the discharge summary"
    EXPORT_HANDOUT_PDF = "export.handout_pdf", "Printed the patient handout"
    FOLLOW_UP_RECORD = "follow_up.record", "Recorded a follow-up call"
    FOLLOW_UP_VIEW = "follow_up.view", "Viewed the follow-up calls"
    OUTCOMES_VIEW = "outcomes.view", "Viewed the outcomes report"
    CONSENT_RECORD = "consent.record", "Recorded a consent"
    CONSENT_REVOKE = "consent.revoke", "Revoked a consent"
    CONSENT_VIEW = "consent.view", "Viewed the consents"
    DISCLOSURE_MADE = "disclosure.made", "Disclosed records under a consent"
    DISCLOSURE_REFUSED = "disclosure.refused", "Disclosure refused"
    DIRECTORY_IMPORT = "directory.import", "Imported the resource directory"
    FHIR_READ = "fhir.read", "Read a FHIR resource"
    FHIR_SEARCH = "fhir.search", "Searched FHIR resources"
    FHIR_EXPORT_START = "fhir.export.start", "Started a FHIR export"
    FHIR_EXPORT_RETRY = "fhir.export.retry", "Retried a FHIR export"
    FHIR_EXPORT_COMPLETE = "fhir.export.complete", "Finished a FHIR export"
    FHIR_EXPORT_FAIL = "fhir.export.fail", "A FHIR export failed"
    FHIR_EXPORT_DOWNLOAD = "fhir.export.download", "Downloaded a FHIR export file"
    FHIR_EXPORT_DELETE = "fhir.export.delete", "Deleted a FHIR export"
    FHIR_EXPORT_OUTSIDE_SCOPE = "fhir.export.outside_scope", "Asked to export records outside own unit"
    JOB_FAIL = "job.fail", "A background job failed"
    DEMO_SEED = "demo.seed", "Loaded the demo data"


_LABELS: dict[str, str] = {str(a.value): str(a.label) for a in AuditAction}
# A request refused for want of a permission is audited under the permission's own code ("view_patient").
_PERMISSIONS: dict[str, str] = {str(a.value): str(a.label) for a in Action}


def action_label(code: str) -> str:
    """The words for an event code: its label, a refused permission's label, or the code put into words."""
    if code in _LABELS:
        return _LABELS[code]
    if code in _PERMISSIONS:
        return _PERMISSIONS[code]
    words = code.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Unnamed event"
