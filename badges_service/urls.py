from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from verification import views as verification_views

urlpatterns = [
    path("", verification_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("issuers.urls")),
    path("api/v1/", include("pipeline.urls")),
    path("", include("competencies.urls")),
    path("", include("verification.urls")),
]
