from django.apps import AppConfig

from govhall.clocks.thresholds import register_warn_rule_source


class SupervisionConfig(AppConfig):
    name = "govhall.supervision"
    label = "supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        from .rules import warn_rule_for

        register_warn_rule_source(warn_rule_for)
