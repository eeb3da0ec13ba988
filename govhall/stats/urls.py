from django.urls import URLPattern, path

from . import views

app_name = "stats"
urlpatterns: list[URLPattern] = [
    path("monthly/", views.monthly_report, name="monthly"),
    path("monthly.xlsx", views.monthly_excel, name="monthly_excel"),
    path("public/", views.public_monthly, name="public"),
]
