"""French for django-oauth-toolkit's own labels, which it marks for translation but ships no French for.

Nothing imports this module: ``make messages`` reads it so that these English messages (the toolkit's field
names, choices, help texts and admin messages, as its models and admin spell them) get their French in
``locale/fr``. Django then finds them there when the toolkit asks for them (``LOCALE_PATHS`` comes first).
"""

from django.utils.translation import gettext_noop, ngettext_noop

TOOLKIT_MESSAGES = (
    # Application
    gettext_noop("client ID"), gettext_noop("user"), gettext_noop("redirect URIs"),
    gettext_noop("Allowed URIs list, space separated"), gettext_noop("post logout redirect URIs"),
    gettext_noop("Allowed Post Logout URIs list, space separated"), gettext_noop("client type"),
    gettext_noop("authorization grant type"), gettext_noop("client secret"),
    gettext_noop("Client secret for authentication"), gettext_noop("hash client secret"), gettext_noop("name"),
    gettext_noop("skip authorization"), gettext_noop("created"), gettext_noop("updated"), gettext_noop("algorithm"),
    gettext_noop("allowed origins"), gettext_noop("Allowed origins list to enable CORS, space separated"),
    gettext_noop("registration source"),
    gettext_noop("How this application was registered (manual, DCR per RFC 7591, or CIMD)"),
    gettext_noop("CIMD expires at"), gettext_noop("When the cached Client ID Metadata Document should be re-fetched"),
    # Choices
    gettext_noop("Manual"), gettext_noop("Dynamic Client Registration"), gettext_noop("Client ID Metadata Document"),
    gettext_noop("Confidential"), gettext_noop("Public"), gettext_noop("Authorization code"),
    gettext_noop("Device Code"), gettext_noop("Implicit"), gettext_noop("Resource owner password-based"),
    gettext_noop("Client credentials"), gettext_noop("OpenID connect hybrid"), gettext_noop("No OIDC support"),
    gettext_noop("RSA with SHA-2 256"), gettext_noop("HMAC with SHA-2 256"),
    # Grants and tokens
    gettext_noop("code"), gettext_noop("application"), gettext_noop("expires"), gettext_noop("redirect URI"),
    gettext_noop("scope"), gettext_noop("code challenge"), gettext_noop("code challenge method"),
    gettext_noop("nonce"), gettext_noop("claims"), gettext_noop("resource"), gettext_noop("source refresh token"),
    gettext_noop("token"), gettext_noop("token checksum"), gettext_noop("ID token"), gettext_noop("access token"),
    gettext_noop("token family"), gettext_noop("revoked"), gettext_noop("JWT Token ID"),
    # Admin messages
    ngettext_noop("Revoked %d access token.", "Revoked %d access tokens."),
    ngettext_noop("Revoked %d refresh token.", "Revoked %d refresh tokens."),
)
