from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.new, name="new"),
    path("register/", views.register, name="register"),
    path("progress/", views.progress, name="progress"),
    path("<str:number>/", views.detail, name="detail"),
]
