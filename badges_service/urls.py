from django.contrib import admin
from django.urls import include, path

from verification import views as verification_views

urlpatterns = [
    path("", verification_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("issuers.urls")),
    path("api/v1/", include("pipeline.urls")),
    path("", include("competencies.urls")),
    path("", include("verification.urls")),
]
