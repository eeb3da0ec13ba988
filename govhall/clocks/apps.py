from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "govhall.clocks"
    label = "clocks"
    verbose_name = "时限计时"

    def ready(self) -> None:
        from . import signals  # noqa: F401
