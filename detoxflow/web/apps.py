from django.apps import AppConfig


class WebConfig(AppConfig):
    """Shared page chrome: base template, static files, sign-in middleware."""

    name = "detoxflow.web"
