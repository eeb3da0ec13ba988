from django.urls import URLPattern, path

from . import bundle_views
from . import portal_views as views

app_name = "cases_portal"
urlpatterns: list[URLPattern] = [
    path("apply/<str:impl_code>/", views.apply, name="apply"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/cases/<str:number>/", views.my_case, name="my_case"),
    path("my/cases/<str:number>/correction/", views.correction, name="correction"),
    path("my/cases/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("my/cases/<str:number>/documents/<int:pk>/", views.document, name="document"),
    path("progress/", views.progress, name="progress"),
    path("bundles/", bundle_views.bundle_list, name="bundles"),
    path("bundles/<str:code>/", bundle_views.bundle_detail, name="bundle"),
    path("apply/bundle/<str:code>/", bundle_views.bundle_apply, name="bundle_apply"),
    path("my/bundles/<str:number>/", bundle_views.my_bundle, name="my_bundle"),
    path(
        "my/bundles/<str:number>/correction/", bundle_views.my_bundle_correction, name="my_bundle_correction"
    ),
    path(
        "my/bundles/<str:number>/documents/<int:pk>/",
        bundle_views.my_bundle_document,
        name="my_bundle_document",
    ),
]
