from django.urls import URLPattern, URLResolver

app_name = "rulemaking"

urlpatterns: list[URLPattern | URLResolver] = []
