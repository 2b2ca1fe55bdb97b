from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "detoxflow.jobs"

    def ready(self) -> None:
        from django_tasks.signals import task_finished  # noqa: PLC0415  (apps load before their modules)

        from detoxflow.jobs.services import audit_failed_job  # noqa: PLC0415  (models need the registry)

        task_finished.connect(audit_failed_job, dispatch_uid="detoxflow.jobs.audit_failed_job")
