"""Read side for episodes: access within the facility and the unit, and the care team's candidates."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from detoxflow.accounts.access import get_for
from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action
from detoxflow.episodes.models import Episode


def get_episode_for(request: HttpRequest, episode_id: int, action: Action) -> Episode:
    """The episode if the role allows `action` (403), in the user's facility (404) and within their unit (403).

    An episode is in its patient's unit scope, discharged or not (accounts/scope.py), so the episode's pages,
    API, documents and FHIR resources answer as the patient page does.
    """
    return get_for(
        request,
        Episode.objects.select_related("patient", "bed", "unit"),
        episode_id,
        action,
        missing="No such episode in your facility.",
        episode_id=episode_id,
        object_type="Episode",
        object_id=episode_id,
    )


def care_team_candidates(episode: Episode, user_ids: list[int]) -> QuerySet[User]:
    """Those of `user_ids` who work at the episode's facility; the service checks their roles."""
    return User.objects.filter(pk__in=user_ids, facility_id=episode.facility_id)
