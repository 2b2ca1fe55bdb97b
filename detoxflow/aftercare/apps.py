from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "detoxflow.aftercare"
