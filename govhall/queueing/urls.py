from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "queueing"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.take, name="take"),
    path("items/", views.item_search, name="items"),
    path("t/<str:code>/", views.ticket_page, name="ticket"),
    path("call/", views.call, name="call"),
    path("call/<slug:action>/", views.call_action, name="call_action"),
    path("screen/", views.screen, name="screen"),
    path("screen/board/", views.screen_board, name="screen_board"),
    path("screen/waits/", views.waits_panel, name="waits"),
]
