"""Production settings with single sign-on: the client secret comes from the environment, over HTTPS."""

from tests.test_production_settings import COMPLETE, _check

SSO = {"BADGES_OIDC_ISSUER": "https://proconnect.example.gouv.fr/api/v2",
       "BADGES_OIDC_CLIENT_ID": "villeapp-badges", "BADGES_OIDC_CLIENT_SECRET": "secret-de-production"}


def test_production_starts_with_single_sign_on_fully_configured():
    result = _check({**COMPLETE, **SSO}, "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_single_sign_on_without_its_client_id_or_secret():
    for missing in ("BADGES_OIDC_CLIENT_ID", "BADGES_OIDC_CLIENT_SECRET"):
        env = {**COMPLETE, **{k: v for k, v in SSO.items() if k != missing}}
        result = _check(env)
        assert result.returncode != 0, missing
        assert missing in result.stderr, (missing, result.stderr[-500:])


def test_production_refuses_a_provider_reached_without_https():
    result = _check({**COMPLETE, **SSO, "BADGES_OIDC_ISSUER": "http://proconnect.example.gouv.fr/api/v2"})

    assert result.returncode != 0 and "https://" in result.stderr
