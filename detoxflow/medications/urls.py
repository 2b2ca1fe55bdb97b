from django.urls import path

from detoxflow.medications import views

urlpatterns = [
    path("episodes/<id:episode_id>/medications/", views.mar, name="mar"),
    path("episodes/<id:episode_id>/medications/protocol/", views.sign_protocol, name="sign-protocol"),
    path("episodes/<id:episode_id>/medications/order/", views.sign_by_hand, name="sign-order"),
    path("medications/orders/<id:order_id>/stop/", views.stop, name="stop-order"),
    path("episodes/<id:episode_id>/taper/", views.taper, name="taper"),
    path("episodes/<id:episode_id>/taper/maintenance/", views.maintenance_offer, name="maintenance-offer"),
    path("episodes/<id:episode_id>/taper/plan/", views.plan_taper, name="plan-taper"),
    path("medications/orders/<id:order_id>/administer/", views.administer, name="administer"),
    path("medications/orders/<id:order_id>/override/", views.authorise_override, name="authorise-override"),
    path("units/<id:unit_id>/mar/", views.unit_mar, name="unit-mar"),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/<slug:code>/copy/", views.protocol_copy, name="protocol-copy"),
    path("protocols/<slug:code>/edit/", views.protocol_edit, name="protocol-edit"),
    path("controlled-substances/", views.controlled_log, name="controlled-log"),
    path("controlled-substances/record/", views.controlled_record, name="controlled-record"),
    path("controlled-substances/<id:entry_id>/resolve/", views.controlled_resolve, name="controlled-resolve"),
]
