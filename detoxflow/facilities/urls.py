from django.urls import path

from detoxflow.facilities import views

urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:unit_id>/census/", views.census, name="census"),
]
