from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # Signal receivers: failed logins feed the lockout; finished requests drop files of rolled-back transactions;
        # a new PostgreSQL connection reads timestamps with psycopg's C loader.
        from . import auth, pgtime, storage  # noqa: F401
