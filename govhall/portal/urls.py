from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item_list"),
    path("items/<str:impl_code>/", views.item_detail, name="item_detail"),
    path(
        "items/<str:impl_code>/materials/<int:material_id>/<str:kind>/",
        views.material_file,
        name="material_file",
    ),
    path("departments/", views.department_list, name="department_list"),
]
