from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "hotline"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("rates/", views.rates, name="rates"),
    path("orders/<str:number>/", views.detail, name="detail"),
]
