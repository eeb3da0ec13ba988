from django.urls import URLPattern, URLResolver, path

from . import edit_views, views

app_name = "integrity"

urlpatterns: list[URLPattern | URLResolver] = [
    # public
    path("powers/", views.public_powers, name="public_powers"),
    path("powers/<int:pk>/", views.public_power, name="public_power"),
    path("feed/", views.feed, name="feed"),
    path("feed/<int:pk>/", views.feed_entry, name="feed_entry"),
    path("feed.atom", views.feed_atom, name="feed_atom"),
    path("feed.json", views.feed_json, name="feed_json"),
    # staff
    path("", views.home, name="home"),
    path("risk-map/", views.risk_map, name="risk_map"),
    path("warnings/issue/", views.issue, name="issue"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("rotation/", views.rotation, name="rotation"),
    path("conduct/<int:pk>/", views.conduct, name="conduct"),
    path("posts/", edit_views.posts, name="posts"),
    path("posts/<int:pk>/", edit_views.post_detail, name="post"),
    path("risk-points/", edit_views.risk_points, name="risk_points"),
    path("key-departments/", edit_views.key_departments, name="key_departments"),
]
