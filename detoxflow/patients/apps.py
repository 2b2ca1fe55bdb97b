from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "detoxflow.patients"

    def ready(self) -> None:
        from detoxflow.patients import checks  # noqa: F401, PLC0415  (registers the record-number check)
