from django.urls import URLPattern, path

from . import bundle_views, views

app_name = "workbench"
urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("intake/", views.intake_search, name="intake_search"),
    path("intake/<str:impl_code>/", views.intake, name="intake"),
    path("intake/bundles/<str:code>/", bundle_views.bundle_intake, name="bundle_intake"),
    path("bundles/<str:number>/", bundle_views.bundle_detail, name="bundle"),
    path("bundles/<str:number>/actions/<slug:action>/", bundle_views.bundle_action, name="bundle_action"),
    path("bundles/<str:number>/documents/<int:pk>/", bundle_views.bundle_document, name="bundle_document"),
    path("tasks/", views.task_list, name="tasks"),
    path("cases/", views.case_list, name="cases"),
    path("cases/export.xlsx", views.case_export, name="cases_export"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/actions/<slug:action>/", views.case_action, name="case_action"),
    path("cases/<str:number>/tasks/<int:pk>/claim/", views.task_claim, name="task_claim"),
    path("cases/<str:number>/tasks/<int:pk>/act/", views.task_act, name="task_act"),
    path("cases/<str:number>/materials/<int:pk>/", views.material_download, name="material"),
    path("cases/<str:number>/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("cases/<str:number>/documents/<int:pk>/", views.document_download, name="document"),
]
