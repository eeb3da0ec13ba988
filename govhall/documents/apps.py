from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "govhall.documents"
    label = "documents"
    verbose_name = "文书与电子印章"
