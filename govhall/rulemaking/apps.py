from django.apps import AppConfig


class RulemakingConfig(AppConfig):
    name = "govhall.rulemaking"
    label = "rulemaking"
    verbose_name = "规范性文件与重大决策"
