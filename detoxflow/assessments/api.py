"""API for withdrawal assessments: the same service, validation and audit events as the charting screen."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from detoxflow.accounts.access import staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.assessments import services
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.assessments.schemas import AssessmentIn, AssessmentOut
from detoxflow.audit.actions import AuditAction
from detoxflow.audit.services import client_address, record_request_event
from detoxflow.episodes.queries import get_episode_for
from detoxflow.web.identifiers import RecordId
from detoxflow.web.pagination import BoundedPagination

router = Router(tags=["assessments"])


@router.get("/episodes/{episode_id}/assessments", response=list[AssessmentOut])
@paginate(BoundedPagination)
def list_assessments(request: HttpRequest, episode_id: RecordId) -> QuerySet[WithdrawalAssessment]:
    """An episode's assessments, oldest first."""
    episode = get_episode_for(request, episode_id, Action.VIEW_PATIENT)
    record_request_event(
        request,
        AuditAction.ASSESSMENT_LIST,
        patient_id=episode.patient_id,
        episode_id=episode.pk,
        object_type="WithdrawalAssessment",
    )
    return episode.withdrawal_assessments.select_related("episode").order_by("assessed_at", "pk")


@router.post("/episodes/{episode_id}/assessments", response={201: AssessmentOut})
def record_assessment(
    request: HttpRequest, episode_id: RecordId, payload: AssessmentIn
) -> Status[WithdrawalAssessment]:
    """Chart an assessment; a missing or disallowed item answers 400 naming the item and the allowed values."""
    episode = get_episode_for(request, episode_id, Action.RECORD_ASSESSMENT)
    assessment = services.record_assessment(
        staff_member(request),
        episode,
        payload.instrument,
        payload.items,
        payload.vitals.dict(),
        now=timezone.now(),
        address=client_address(request),
        self_reported=payload.self_reported,
    )
    return Status(201, assessment)
