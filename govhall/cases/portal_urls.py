from django.urls import URLPattern, path

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
]
