from django.urls import path

from detoxflow.assessments import views

urlpatterns = [
    path("episodes/<id:episode_id>/assessments/new/", views.chart, name="chart-assessment"),
    path("episodes/<id:episode_id>/self-report/", views.self_report, name="self-report"),
    path("tablet/locked/", views.tablet_locked, name="tablet-locked"),
]
