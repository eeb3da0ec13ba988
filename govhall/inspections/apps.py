"""Supervised entities, inspection plans (双随机一公开), inspection records and credit grades."""

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "govhall.inspections"
    label = "inspections"
    verbose_name = "监督检查与信用等级"

    def ready(self) -> None:
        from govhall.cases.jobs import register_job

        from .actions import sync_licences

        # Cases may not import this app: the worker polls the decided licence cases for it.
        register_job("licences_synced", sync_licences)
