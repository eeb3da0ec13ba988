"""Public disclosure (政务公开): the disclosure catalog with index numbers, and information requests (依申请公开) on the clock."""

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "govhall.disclosure"
    label = "disclosure"
    verbose_name = "政务公开"

    def ready(self) -> None:
        from govhall.cases.jobs import register_job

        from .actions import abandon_overdue_clarifications

        # 《政府信息公开条例》第三十条: a request not clarified within the period given is deemed abandoned.
        register_job("disclosure_abandoned", abandon_overdue_clarifications)
