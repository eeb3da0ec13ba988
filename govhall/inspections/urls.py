from django.urls import URLPattern, URLResolver

app_name = "inspections"

urlpatterns: list[URLPattern | URLResolver] = []
