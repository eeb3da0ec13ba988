from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "govhall.stats"
    label = "stats"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from govhall.cases.jobs import register_job

        from .refresh import refresh_facts

        # The background worker keeps the published figures up to date (refresh_stats --loop does it alone).
        register_job("stats_entries", refresh_facts)
