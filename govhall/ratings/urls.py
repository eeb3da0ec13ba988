from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "ratings"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.staff_home, name="staff_home"),
    path("s/<str:token>/", views.rate_sms, name="sms"),
    path("q/<str:token>/", views.rate_qr, name="qr"),
    path("my/<str:number>/", views.rate_online, name="online"),
    path("window/<int:window_id>/", views.window_device, name="window"),
    path("window/<int:window_id>/card/", views.window_card, name="window_card"),
    path("hotline/", views.hotline_entry, name="hotline"),
    path("reviews/<str:number>/", views.review_detail, name="review"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal"),
    path("public/", views.public_results, name="public"),
]
