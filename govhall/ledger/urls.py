from django.urls import URLPattern, path

from . import views

app_name = "ledger"
urlpatterns: list[URLPattern] = [
    path("checkpoints/", views.checkpoint_list, name="checkpoints"),
    path("checkpoints.json", views.checkpoint_json, name="checkpoints_json"),
]
