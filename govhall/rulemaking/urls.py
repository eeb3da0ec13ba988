from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "rulemaking"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public: the registry of published documents, drafts open for comment, published major decisions.
    path("", views.public_registry, name="public"),
    path("documents/<str:number>/", views.public_document, name="document"),
    path("decisions/<str:number>/", views.public_decision, name="decision"),
    # Staff: the legal office's registry.
    path("staff/", views.registry, name="registry"),
    path("staff/figures/", views.figures, name="figures"),
    path("staff/documents/<str:number>/", views.manage_document, name="manage_document"),
    path("staff/decisions/<str:number>/", views.manage_decision, name="manage_decision"),
]
