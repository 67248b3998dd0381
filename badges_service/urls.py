from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from badges_service import language, metrics
from verification import views as verification_views

# The axe-core release whose runs the accessibility statement reports (interop/package.json pins it; a test
# checks both agree).
AXE_CORE_VERSION = "4.14.1"

# The admin speaks the service's language (docs/glossary.md), not Django's.
admin.site.site_header = _("Administration de Ville@pp Badges")
admin.site.site_title = _("Ville@pp Badges")
admin.site.index_title = _("Émetteurs, badges, référentiels et agents")

urlpatterns = [
    path("", verification_views.home, name="home"),
    path("verifier", verification_views.verifier, name="verifier"),
    path("langue/<str:code>", language.switch, name="language-switch"),  # the header's links
    # Browsers and robots ask the root for these whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.ico"), permanent=True)),
    path("apple-touch-icon.png", RedirectView.as_view(url=lazy(static, str)("icons/apple-touch-icon.png"),
                                                            permanent=True)),
    path("metrics", metrics.metrics, name="metrics"),  # Prometheus; /healthz and /readyz: badges_service.health
    # Cited by the Open Badges API's discovery document (BADGES_PRIVACY_POLICY_URL, BADGES_TERMS_OF_SERVICE_URL).
    path("confidentialite/", TemplateView.as_view(template_name="legal/privacy.html"), name="privacy"),
    path("conditions/", TemplateView.as_view(template_name="legal/terms.html"), name="terms"),
    path("mentions-legales/", TemplateView.as_view(template_name="legal/notice.html"), name="legal-notice"),
    path("accessibilite/", TemplateView.as_view(template_name="legal/accessibility.html",
                                             extra_context={"axe_version": AXE_CORE_VERSION}), name="accessibility"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The "split" view serves its start-up script as a file: no inline script (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("issuers.urls")),
    path("api/v1/", include("pipeline.urls")),
    path("api/v1/", include("indicators.api_urls")),
    path("passeport/", include("passport.urls")),
    path("", include("wallets.urls")),  # OpenID4VCI / OpenID4VP: /.well-known/openid-credential-issuer, /openid4vci/
    path("equipe/", include("managers.urls")),
    path("indicateurs/", include("indicators.urls")),
    path("", include("obapi.urls")),  # /ims/ob/v3p0/ (1EdTech Open Badges API) and /oauth/
    path("", include("competencies.urls")),
    path("", include("skills.urls")),
    path("", include("verification.urls")),
]

handler500 = "badges_service.errors.server_error"  # an unavailable database: 503 and Retry-After
