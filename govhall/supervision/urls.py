from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("staff/<int:pk>/", views.staff_conduct, name="staff_conduct"),
]
