from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # Signal receivers: failed logins feed the lockout; finished requests drop files of rolled-back transactions.
        from . import auth, storage  # noqa: F401
