from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog

from govhall.api import api
from govhall.core.auth import LockoutAdminAuthenticationForm, LockoutAuthenticationForm
from govhall.core.health import healthz

admin.site.site_header = "政务服务中心管理后台"
admin.site.site_title = "govhall"
admin.site.index_title = "系统配置"
# Both login forms say "locked" once an account is (govhall/core/throttle.py).
admin.site.login_form = LockoutAdminAuthenticationForm

urlpatterns: list[URLPattern | URLResolver] = [
    path("healthz", healthz, name="healthz"),
    # The admin's JavaScript strings, with the Chinese Django 5.2's catalog lacks (the picker's "Choose all %s"):
    # same URL as the admin's own jsi18n, matched first.
    path(
        "admin/jsi18n/",
        JavaScriptCatalog.as_view(packages=["django.contrib.admin", "govhall.core"]),
        name="admin_jsi18n",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("verify/", include("govhall.documents.urls")),
    path("audit/", include("govhall.ledger.urls")),
    path("workbench/", include("govhall.workbench.urls")),
    path("supervision/", include("govhall.supervision.urls")),
    path("screen/", include("govhall.supervision.screen_urls")),
    path("complaints/", include("govhall.complaints.urls")),
    path("stats/", include("govhall.stats.urls")),
    path("ratings/", include("govhall.ratings.urls")),
    path("hotline/", include("govhall.hotline.urls")),
    path("open311/v2/", include("govhall.hotline.open311_urls")),
    path("queue/", include("govhall.queueing.urls")),
    path("disclosure/", include("govhall.disclosure.urls")),
    path("evaluation/", include("govhall.evaluation.urls")),
    path("integrity/", include("govhall.integrity.urls")),
    path("inspections/", include("govhall.inspections.urls")),
    path("legal/", include("govhall.legal.urls")),
    path("rulemaking/", include("govhall.rulemaking.urls")),
    path("accounts/login/", LoginView.as_view(authentication_form=LockoutAuthenticationForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("govhall.cases.portal_urls")),
    path("", include("govhall.portal.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
