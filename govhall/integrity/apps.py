"""Power runs in the open: the power list, posts, integrity risk points, warnings, commitments, conduct files, post rotation."""

from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "govhall.integrity"
    label = "integrity"
    verbose_name = "权力运行与廉政风险防控"

    def ready(self) -> None:
        from govhall.cases.jobs import register_job

        from . import jobs

        register_job("power_exercises_disclosed", jobs.disclose)
        register_job("integrity_warnings", jobs.warnings)
        register_job("rotation_alerts", jobs.rotation_alerts)
