from django.urls import URLPattern, URLResolver

# Open311 GeoReport v2 endpoints (served at /open311/v2/).
app_name = "open311"

urlpatterns: list[URLPattern | URLResolver] = []
