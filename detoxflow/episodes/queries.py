"""Read side for episodes: access within the facility."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import timezone

from detoxflow.accounts.access import require, require_unit_scope, staff_member
from detoxflow.accounts.permissions import Action
from detoxflow.episodes.models import Episode


def get_episode_for(request: HttpRequest, episode_id: int, action: Action) -> Episode:
    """The episode if the role allows `action` and it is in the user's facility; else 403/404."""
    require(request, action, episode_id=episode_id, object_type="Episode", object_id=episode_id)
    user = staff_member(request)
    episode = (
        Episode.objects.select_related("patient", "bed", "unit")
        .filter(pk=episode_id, facility_id=user.facility_id)
        .first()
    )
    if episode is None:
        raise Http404("No such episode in your facility.")
    require_unit_scope(request, episode.patient_id, episode.unit_id if episode.is_open else None, timezone.now())
    return episode
