from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgConfig(AppConfig):
    name = "govhall.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from .roles import on_post_migrate

        # No sender filter: permissions of apps listed after org are created after org's own signal.
        post_migrate.connect(on_post_migrate, dispatch_uid="govhall.org.roles")
