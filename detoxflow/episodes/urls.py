from django.urls import path

from detoxflow.episodes import views

urlpatterns = [
    path("patients/<int:patient_id>/episodes/", views.open_episode, name="open-episode"),
    path("episodes/<int:episode_id>/bed/", views.assign_bed, name="assign-bed"),
    path("episodes/<int:episode_id>/care-team/", views.assign_care_team, name="assign-care-team"),
    path("episodes/<int:episode_id>/method/", views.choose_care_setting, name="choose-method"),
    path("episodes/<int:episode_id>/stage/", views.change_stage, name="change-stage"),
]
