from django.urls import path

from detoxflow.facilities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("units/<id:unit_id>/census/", views.census, name="census"),
    path("beds/", views.bed_board, name="bed-board"),
    path("clinical-rules/", views.clinical_rules, name="clinical-rules"),
    path("clinical-rules/<slug:rule_set>/", views.override_rule_set, name="override-rule-set"),
    path("beds/<id:bed_id>/housekeeping/", views.housekeeping, name="bed-housekeeping"),
]
