"""Normative documents (规范性文件) and major administrative decisions (重大行政决策)."""

from django.apps import AppConfig


class RulemakingConfig(AppConfig):
    name = "govhall.rulemaking"
    label = "rulemaking"
    verbose_name = "规范性文件与重大决策"

    def ready(self) -> None:
        from govhall.cases.jobs import register_job

        from .jobs import expiry_job

        # Every worker round: comment periods that ended are closed, expiry alerts raised, lapsed documents expired.
        register_job("rulemaking_expire", expiry_job)
