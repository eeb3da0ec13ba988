"""Rule of law: administrative litigation with heads appearing in court, and administrative reconsideration."""

from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "govhall.legal"
    label = "legal"
    verbose_name = "行政应诉与复议"

    def ready(self) -> None:
        # The disclosure annual report counts the remedies against information-request answers
        # (《政府信息公开条例》第五十条); disclosure sits below and learns of them through its hook.
        from govhall.disclosure.hooks import register_remedy_counter

        from .report import remedy_counter

        register_remedy_counter(remedy_counter)
