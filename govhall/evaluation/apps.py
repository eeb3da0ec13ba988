from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "govhall.evaluation"
    label = "evaluation"
    verbose_name = "绩效考评"
