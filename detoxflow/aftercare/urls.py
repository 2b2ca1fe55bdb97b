from django.urls import path

from detoxflow.aftercare import views

urlpatterns = [
    path("episodes/<id:episode_id>/aftercare/", views.aftercare, name="aftercare"),
    path("episodes/<id:episode_id>/aftercare/plan/", views.save_plan, name="aftercare-plan"),
    path("episodes/<id:episode_id>/aftercare/items/", views.add_item, name="aftercare-item"),
    path("aftercare/items/<id:item_id>/", views.edit_item, name="aftercare-item-edit"),
    path("aftercare/items/<id:item_id>/remove/", views.remove_item, name="aftercare-item-remove"),
    path("aftercare/resources/", views.item_resources, name="aftercare-resources"),
    path("episodes/<id:episode_id>/aftercare/review/", views.review, name="aftercare-review"),
    path("episodes/<id:episode_id>/aftercare/checklist/", views.save_checklist, name="discharge-checklist"),
    path("episodes/<id:episode_id>/discharge/", views.discharge, name="discharge"),
    path("episodes/<id:episode_id>/documents/<slug:kind>.pdf", views.document, name="discharge-document"),
    path("follow-ups/", views.follow_ups, name="follow-ups"),
    path("follow-ups/<id:task_id>/", views.record_call, name="record-call"),
    path("outcomes/", views.outcomes_report, name="outcomes"),
]
