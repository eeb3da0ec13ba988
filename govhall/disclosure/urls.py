from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "disclosure"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalog, name="catalog"),
    path("record/<path:index_number>/", views.record_detail, name="record"),
    path("lookup/", views.lookup, name="lookup"),
    path("report/<int:year>/", views.annual_report_view, name="report"),
    path("request/", views.request_form, name="request"),
    path("progress/", views.progress, name="progress"),
    path("progress/clarify/", views.clarify, name="clarify"),
    path("progress/answer.pdf", views.answer_pdf, name="answer_pdf"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/records/<int:pk>/", views.staff_record, name="staff_record"),
    path("staff/records/new/", views.staff_record_new, name="staff_record_new"),
    path("staff/requests/<str:number>/", views.staff_request, name="staff_request"),
]
