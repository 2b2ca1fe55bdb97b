from django.urls import path

from detoxflow.directory import views

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/import/", views.import_csv, name="directory-import"),
    path("directory/export.csv", views.export_csv, name="directory-export"),
]
