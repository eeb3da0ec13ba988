from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("manual/<slug:act>/", views.manual, name="manual"),
    path("accountability/<int:pk>/", views.accountability_detail, name="accountability"),
    path("staff/<int:pk>/", views.staff_conduct, name="staff_conduct"),
]
