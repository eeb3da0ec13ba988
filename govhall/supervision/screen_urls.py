"""The live supervision screens, mounted by the root URLconf as `path("screen/", include("govhall.supervision.screen_urls"))`."""

from django.urls import path

from . import screens

app_name = "screens"

urlpatterns = [
    path("", screens.screen, name="screen"),
    path("data.json", screens.screen_json, name="data"),
    path("department/<int:pk>/", screens.department_screen, name="department"),
    path("department/<int:pk>/data.json", screens.department_json, name="department_data"),
]
