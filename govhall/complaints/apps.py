from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govhall.complaints"
    label = "complaints"
    verbose_name = "效能投诉"
