from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "govhall.legal"
    label = "legal"
    verbose_name = "行政应诉与复议"
