from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "govhall.ratings"
    label = "ratings"
    verbose_name = "好差评"

    def ready(self) -> None:
        from govhall.cases.jobs import register_job

        from .actions import rating_jobs

        # Rating SMS for newly concluded cases and, when configured, default ratings of cases left unrated.
        register_job("ratings", rating_jobs)
