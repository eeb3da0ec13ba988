from django.urls import URLPattern, URLResolver, re_path

from . import open311

# Open311 GeoReport v2 endpoints (served at /open311/v2/); the suffix chooses the format.
app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^services" + FMT, open311.services, name="services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9_\-]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<number>[A-Za-z0-9_\-]+)" + FMT, open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_\-]+)" + FMT, open311.token, name="token"),
]
