from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "legal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("lawsuits/<int:pk>/", views.lawsuit, name="lawsuit"),
    path("reconsiderations/<int:pk>/", views.reconsideration, name="reconsideration"),
    path("report/", views.report, name="report"),
]
