from django.urls import path

from detoxflow.episodes import views

urlpatterns = [
    path("patients/<id:patient_id>/episodes/", views.open_episode, name="open-episode"),
    path("episodes/<id:episode_id>/arrival/", views.record_arrival, name="record-arrival"),
    path("episodes/<id:episode_id>/bed/", views.assign_bed, name="assign-bed"),
    path("episodes/<id:episode_id>/care-team/", views.assign_care_team, name="assign-care-team"),
    path("episodes/<id:episode_id>/method/", views.choose_care_setting, name="choose-method"),
    path("episodes/<id:episode_id>/stage/", views.change_stage, name="change-stage"),
]
