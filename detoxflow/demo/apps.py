from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "detoxflow.demo"
