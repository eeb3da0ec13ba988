from django.apps import AppConfig

from govhall.clocks.thresholds import register_warn_rule_source


class SupervisionConfig(AppConfig):
    name = "govhall.supervision"
    label = "supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from govhall.clocks.thresholds import invalidate

        from .models import WarnRule
        from .rules import warn_rule_for

        register_warn_rule_source(warn_rule_for)

        def forget_rules(**kwargs: object) -> None:
            invalidate()

        # A rule saved or deleted in this process applies to the next clock at once (thresholds' cache).
        post_save.connect(forget_rules, sender=WarnRule, weak=False, dispatch_uid="warn_rule_cache_save")
        post_delete.connect(forget_rules, sender=WarnRule, weak=False, dispatch_uid="warn_rule_cache_delete")
