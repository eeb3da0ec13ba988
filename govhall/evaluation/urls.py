from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "evaluation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.month_page, name="month"),
    path("enter/", views.enter, name="enter"),
    path("adjust/", views.adjust, name="adjust"),
    path("month.xlsx", views.month_excel, name="month_excel"),
    path("me/", views.sheet_page, name="me"),
    path("staff/<int:staff_id>/", views.sheet_page, name="sheet"),
    path("year/", views.year_page, name="year"),
    path("year/enter/", views.year_enter, name="year_enter"),
    path("year/goals/new/", views.goal_page, name="goal_new"),
    path("year/goals/<int:goal_id>/", views.goal_page, name="goal"),
    path("year.xlsx", views.year_excel, name="year_excel"),
    path("public/", views.public_page, name="public"),
    path("public.json", views.public_json, name="public_json"),
]
