from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "detoxflow.episodes"
