from django.apps import AppConfig


class MedicationsConfig(AppConfig):
    name = "detoxflow.medications"
