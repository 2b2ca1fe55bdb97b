from django.urls import path

from detoxflow.admissions import views

urlpatterns = [
    path("get-help/", views.get_help_index, name="get-help-index"),
    path("get-help/<slug:code>/", views.get_help, name="get-help"),
    path("get-help/<slug:code>/thanks/", views.get_help_thanks, name="get-help-thanks"),
    path("intake-queue/", views.intake_queue, name="intake-queue"),
    path("intake-queue/<id:callback_id>/attempt/", views.callback_attempt, name="callback-attempt"),
    path("phone-screens/new/", views.phone_screen, name="phone-screen"),
    path("phone-screens/<id:screen_id>/", views.phone_screen_result, name="phone-screen-result"),
    path("admissions/book/", views.book_bed, name="book-bed"),
]
