# ruff: noqa: RUF001 - French typography: the apostrophe U+2019 is the right character in these labels.
"""Reads for wallets: the OpenID4VCI Credential Issuer metadata (§12.2) and Authorization Server metadata (§12.3,
RFC 8414), and the credential configurations they describe.

One credential configuration per achievement and format: ``<achievement slug>.ldp_vc`` (the OB 3.0
``OpenBadgeCredential`` secured with ``eddsa-rdfc-2022``) and ``<achievement slug>.jwt_vc_json`` (the same credential
as a VC-JWT, EdDSA). A slug has no dot, so the id splits back unambiguously.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from badges_service.openbadges import contexts, key_proof
from issuers import identifiers
from issuers.models import Achievement, CredentialCopy

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
FORMATS = (CredentialCopy.LDP_VC, CredentialCopy.JWT_VC_JSON)
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
LOCALES = ("fr", "en")
BINDING_METHODS = ["did:key", "did:jwk"]


def credential_issuer() -> str:
    """The Credential Issuer Identifier (§12.2.1): this service's public URL."""
    return identifiers.public_url("")


def endpoint(name: str) -> str:
    return identifiers.public_url(f"/openid4vci/{name}")


def configuration_id(achievement: Achievement, format: str) -> str:
    return f"{achievement.slug}.{format}"


def configuration_ids(achievement: Achievement) -> list[str]:
    return [configuration_id(achievement, f) for f in FORMATS]


def configuration_format(config_id: str) -> tuple[str, str] | None:
    """(achievement slug, format) of a configuration id, or None when it names no format of ours."""
    slug, _dot, format = config_id.rpartition(".")
    return (slug, format) if slug and format in FORMATS else None


def _in_each_locale(make) -> list[dict]:
    entries = []
    for locale in LOCALES:
        with translation.override(locale):
            entries.append({**make(), "locale": locale})
    return entries


def _claims() -> list[dict]:
    def claim(path: list[str], label) -> dict:
        return {"path": path, "display": _in_each_locale(lambda: {"name": str(label())})}

    return [
        claim(["credentialSubject", "achievement", "name"], lambda: _("Badge")),
        claim(["credentialSubject", "achievement", "description"], lambda: _("Description")),
        claim(["credentialSubject", "achievement", "criteria", "narrative"], lambda: _("Critères d’obtention")),
        claim(["issuer", "name"], lambda: _("Émetteur")),
        claim(["validFrom"], lambda: _("Délivré le")),
        claim(["validUntil"], lambda: _("Valide jusqu’au")),
    ]


def configuration(achievement: Achievement, format: str, claims: list[dict] | None = None) -> dict:
    """One entry of ``credential_configurations_supported`` (§12.2.4, Appendix A.1.1 / A.1.2)."""
    logo = {"uri": identifiers.public_url(f"/achievements/{achievement.slug}/image"),
            "alt_text": achievement.image_caption or achievement.name}
    definition = {"type": CREDENTIAL_TYPE}
    if format == CredentialCopy.LDP_VC:
        definition = {"@context": [contexts.VC_V2, contexts.OB_V3, contexts.OB_V3_EXTENSIONS], **definition}
    return {
        "format": format,
        "cryptographic_binding_methods_supported": BINDING_METHODS,
        "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"] if format == CredentialCopy.LDP_VC
        else ["EdDSA"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(key_proof.ALGORITHMS)}},
        "credential_definition": definition,
        "credential_metadata": {
            "display": _in_each_locale(lambda: {
                "name": achievement.name, "description": achievement.description[:500], "logo": logo,
                "background_color": "#ffffff", "text_color": "#1b1b35"}),
            "claims": claims if claims is not None else _claims(),
        },
    }


def credential_issuer_metadata() -> dict:
    claims = _claims()
    configurations = {}
    for achievement in Achievement.objects.order_by("slug").only(
            "slug", "name", "description", "image_caption"):
        for format in FORMATS:
            configurations[configuration_id(achievement, format)] = configuration(achievement, format, claims)
    return {
        "credential_issuer": credential_issuer(),
        "credential_endpoint": endpoint("credential"),
        "nonce_endpoint": endpoint("nonce"),
        "display": _in_each_locale(lambda: {"name": _("Ville@pp Badges")}),
        "credential_configurations_supported": configurations,
    }


def authorization_server_metadata() -> dict:
    """RFC 8414, with OpenID4VCI §12.3: the pre-authorized code grant, anonymous (no client authentication)."""
    return {
        "issuer": credential_issuer(),
        "token_endpoint": endpoint("token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "response_types_supported": [],
        "pre-authorized_grant_anonymous_access_supported": True,
    }
