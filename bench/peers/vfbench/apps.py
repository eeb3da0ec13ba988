from django.apps import AppConfig


class VfbenchConfig(AppConfig):
    name = "vfbench"
    label = "vfbench"
    default_auto_field = "django.db.models.BigAutoField"
