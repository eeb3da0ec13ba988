from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "govhall.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        # Every process (web server, worker, command) sets Django up first: a production one refuses to start here.
        from .sms import refuse_revealing_backend_in_production

        refuse_revealing_backend_in_production()
