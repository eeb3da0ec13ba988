from django.urls import URLPattern, path

from . import views

app_name = "documents"
urlpatterns: list[URLPattern] = [
    path("", views.verify_upload, name="index"),
    path("<str:number>/", views.document_detail, name="detail"),
    path("<str:number>/pdf", views.document_pdf, name="pdf"),
]
