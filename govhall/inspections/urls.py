from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "inspections"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("entities/<int:pk>/", views.entity, name="entity"),
    path("results/", views.results, name="results"),
]
