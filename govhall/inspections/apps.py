from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "govhall.inspections"
    label = "inspections"
    verbose_name = "监督检查与信用等级"
