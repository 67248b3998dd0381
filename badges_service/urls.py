from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from badges_service import metrics
from verification import views as verification_views

urlpatterns = [
    path("", verification_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("metrics", metrics.metrics, name="metrics"),  # Prometheus; /healthz and /readyz: badges_service.health
    # Cited by the Open Badges API's discovery document (BADGES_PRIVACY_POLICY_URL, BADGES_TERMS_OF_SERVICE_URL).
    path("confidentialite/", TemplateView.as_view(template_name="legal/privacy.html"), name="privacy"),
    path("conditions/", TemplateView.as_view(template_name="legal/terms.html"), name="terms"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The "split" view serves its start-up script as a file: no inline script (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("issuers.urls")),
    path("api/v1/", include("pipeline.urls")),
    path("api/v1/", include("indicators.api_urls")),
    path("passeport/", include("passport.urls")),
    path("equipe/", include("managers.urls")),
    path("indicateurs/", include("indicators.urls")),
    path("", include("obapi.urls")),  # /ims/ob/v3p0/ (1EdTech Open Badges API) and /oauth/
    path("", include("competencies.urls")),
    path("", include("verification.urls")),
]

handler500 = "badges_service.errors.server_error"  # an unavailable database: 503 and Retry-After
