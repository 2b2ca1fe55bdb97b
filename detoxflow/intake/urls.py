from django.urls import path

from detoxflow.intake import views

urlpatterns = [
    path("episodes/<id:episode_id>/intake/", views.overview, name="intake"),
    path("episodes/<id:episode_id>/intake/assessment/", views.assessment_form, name="intake-assessment"),
    path("episodes/<id:episode_id>/intake/care-team/", views.care_team, name="intake-care-team"),
    path("episodes/<id:episode_id>/intake/decision/", views.decide, name="intake-decide"),
    path("episodes/<id:episode_id>/intake/plan/", views.write_plan, name="intake-plan"),
    path("episodes/<id:episode_id>/intake/complete/", views.complete, name="intake-complete"),
]
