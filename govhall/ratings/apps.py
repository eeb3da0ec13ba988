from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "govhall.ratings"
    label = "ratings"
    verbose_name = "好差评"

    def ready(self) -> None:
        from govhall.cases.jobs import register_job
        from govhall.cases.portal_common import register_case_panel
        from govhall.documents.render import register_notice_link

        from .actions import notice_rating_link, rating_jobs
        from .views import case_panel

        # Rating SMS for newly concluded cases and, when configured, default ratings of cases left unrated.
        register_job("ratings", rating_jobs)
        # The applicant's case page shows the rating form, the rating given and the rectification feedback.
        register_case_panel(case_panel)
        # Every notice of a case carries the QR code of its signed rating link (扫码评价).
        register_notice_link(notice_rating_link)
