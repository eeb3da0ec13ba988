from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgConfig(AppConfig):
    name = "govhall.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from govhall.core.auth import install_user_reader

        from .access import signed_in_user
        from .roles import on_post_migrate

        # A signed-in request's user arrives with its roles and departments: one statement instead of two.
        install_user_reader(signed_in_user)

        # No sender filter: permissions of apps listed after org are created after org's own signal.
        post_migrate.connect(on_post_migrate, dispatch_uid="govhall.org.roles")
