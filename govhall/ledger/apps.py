from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "govhall.ledger"
    label = "ledger"
    verbose_name = "办件审计链"
