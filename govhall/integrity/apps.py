from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "govhall.integrity"
    label = "integrity"
    verbose_name = "权力运行与廉政风险防控"
