"""The learner space: every page needs sign-in, shows the learner's own badges only, and each action (visibility,
share, LinkedIn, downloads) does what it says and is counted."""

from __future__ import annotations

import json
from datetime import timedelta
from html import escape

import pytest
from django.utils import timezone

from badges_service.openbadges import baking
from competencies.demo.seed import seed_alignments, seed_frameworks
from competencies.models import JobRequirement
from indicators.models import CredentialUsage
from issuers import services
from issuers.demo.seed import seed_issuers_and_achievements
from issuers.models import Achievement
from issuers.permissions import SYSTEM
from learners.models import Learner
from pipeline.models import InboundEvent, LmsSource
from tests.issuers.factories import AchievementFactory, CredentialFactory, UserFactory
from tests.verification.pdf_text import pdf_text


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client


def _usage(credential, kind: str, channel: str) -> int:
    return CredentialUsage.objects.filter(credential=credential, kind=kind, channel=channel).count()


PAGES = ["/passeport/", "/passeport/competences/", "/passeport/mes-donnees/", "/passeport/mes-donnees.json",
         "/passeport/export/presentation.json", "/passeport/export/clr.json"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_visitor_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/?next=")


def test_badge_pages_and_actions_send_a_visitor_to_sign_in(client, credential):
    base = f"/passeport/badges/{credential.public_id}"
    for method, path in [("get", f"{base}/"), ("post", f"{base}/visibilite"), ("post", f"{base}/partager/link"),
                         ("post", f"{base}/partager/linkedin"), ("get", f"{base}/telecharger/png")]:
        response = getattr(client, method)(path)
        assert response.status_code == 302 and response["Location"].startswith("/comptes/connexion/"), path
    assert CredentialUsage.objects.count() == 0


def test_my_badges_lists_each_badge_with_its_state(signed_in, learner, direction, credential):
    achievement = AchievementFactory(issuer=direction, name="Sécurité informatique")
    revoked = CredentialFactory(achievement=achievement, recipient_email=learner.email)
    services.credential_revoke(credential=revoked, reason="Erreur", actor=SYSTEM)
    suspended = CredentialFactory(achievement=achievement, recipient_email=learner.email)
    services.credential_suspend(credential=suspended, reason="Contrôle", actor=SYSTEM)
    issued = timezone.now() - timedelta(days=400)
    expired = services.credential_issue(achievement=achievement, recipient_email=learner.email, now=issued,
                                        valid_until=issued + timedelta(days=30), actor=SYSTEM)
    CredentialFactory(achievement=achievement, recipient_email="someone.else@ville-exemple.fr")

    html = signed_in.get("/passeport/").content.decode()

    for c, state in [(credential, "valid"), (revoked, "revoked"), (suspended, "suspended"), (expired, "expired")]:
        item = html.split(f'data-credential="{c.public_id}"')[1].split("</li>")[0]
        assert f'data-state="{state}"' in item, state
    assert html.count('class="badge-item"') == 4
    assert "Accueil des usagers" in html


def test_the_badge_page_shows_the_actions(signed_in, credential):
    html = signed_in.get(f"/passeport/badges/{credential.public_id}/").content.decode()
    for marker in ('id="make-public"', 'id="copy-link"', 'id="linkedin"', 'id="download-png"', 'id="download-svg"',
                   'id="download-json"', 'id="download-pdf"', f'value="https://badges.example.test/credentials/'
                                                              f'{credential.public_id}"'):
        assert marker in html, marker


def test_another_learners_badge_is_a_404_in_the_passport(client, other_learner, credential):
    client.force_login(other_learner)
    base = f"/passeport/badges/{credential.public_id}"
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/visibilite", {"public": "1"}).status_code == 404
    assert client.post(f"{base}/partager/link").status_code == 404
    assert client.get(f"{base}/telecharger/json").status_code == 404
    credential.refresh_from_db()
    assert credential.is_public is False
    assert CredentialUsage.objects.count() == 0


def test_the_learner_makes_a_badge_public_then_private(signed_in, client, credential):
    url = f"/passeport/badges/{credential.public_id}/visibilite"
    assert signed_in.post(url, {"public": "1"}).status_code == 302
    credential.refresh_from_db()
    assert credential.is_public and credential.made_public_at
    assert 'id="make-private"' in signed_in.get(f"/passeport/badges/{credential.public_id}/").content.decode()
    signed_in.post(url, {"public": "0"})
    credential.refresh_from_db()
    assert credential.is_public is False


def test_visibility_changes_only_by_post(signed_in, credential):
    assert signed_in.get(f"/passeport/badges/{credential.public_id}/visibilite?public=1").status_code == 405


def test_copying_the_link_records_a_share(signed_in, credential):
    url = f"/passeport/badges/{credential.public_id}/partager/link"
    assert signed_in.post(url, HTTP_ACCEPT="application/json").json() == {"recorded": True}
    without_js = signed_in.post(url)
    assert without_js.status_code == 302 and without_js["Location"].endswith("#partage")
    assert _usage(credential, "share", "link") == 2


def test_adding_to_linkedin_records_a_share_and_opens_linkedin(signed_in, credential):
    response = signed_in.post(f"/passeport/badges/{credential.public_id}/partager/linkedin")
    assert response.status_code == 302
    assert response["Location"].startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
    assert _usage(credential, "share", "linkedin") == 1


def test_unknown_share_or_download_channels_are_404(signed_in, credential):
    assert signed_in.post(f"/passeport/badges/{credential.public_id}/partager/facebook").status_code == 404
    assert signed_in.get(f"/passeport/badges/{credential.public_id}/telecharger/exe").status_code == 404


def test_each_download_is_the_badge_and_is_counted(signed_in, credential):
    base = f"/passeport/badges/{credential.public_id}/telecharger"
    png = signed_in.get(f"{base}/png")
    assert png["Content-Type"] == "image/png" and "attachment" in png["Content-Disposition"]
    assert json.loads(baking.unbake(png.content, max_bytes=10**7).text)["id"].endswith(str(credential.public_id))
    svg = signed_in.get(f"{base}/svg")
    assert json.loads(baking.unbake(svg.content, max_bytes=10**7).text)["id"].endswith(str(credential.public_id))
    wallet = signed_in.get(f"{base}/json")
    assert wallet.content.decode() == credential.document  # the signed bytes, exactly as issued
    pdf = signed_in.get(f"{base}/pdf")
    assert pdf.content.startswith(b"%PDF") and "Accueil des usagers" in pdf_text(pdf.content)
    for channel in ("png", "svg", "json", "pdf"):
        assert _usage(credential, "download", channel) == 1, channel


def test_the_competency_profile_shows_the_proven_competencies_and_job_fit(client, db):
    seed_issuers_and_achievements()
    seed_frameworks()
    seed_alignments()
    requirement = JobRequirement.objects.filter(competency__alignments__isnull=False).select_related(
        "job", "competency").first()
    job = requirement.job
    achievement = Achievement.objects.filter(alignments__competency=requirement.competency).first()
    user = UserFactory(email="agent.profil@ville-exemple.fr")
    Learner.objects.create(email=user.email, user=user, job=job)
    services.credential_issue(achievement=achievement, recipient_email=user.email, actor=SYSTEM)
    client.force_login(user)

    html = client.get("/passeport/competences/").content.decode()

    assert escape(requirement.competency.label) in html.split('id="profile-table"')[1]
    assert escape(job.title) in html.split('id="current-job"')[1].split("</p>")[0]
    assert 'id="ranked-jobs"' in html


def test_a_learner_without_badges_or_job_sees_empty_states(client, other_learner):
    client.force_login(other_learner)
    assert client.get("/passeport/").status_code == 200
    html = client.get("/passeport/competences/").content.decode()
    assert 'id="profile-table"' not in html and 'id="current-job"' not in html


def test_my_data_holds_everything_about_me_and_nothing_about_others(signed_in, learner, credential, direction):
    Learner.objects.create(email=learner.email, user=learner, display_name="Camille Dupont", direction=direction)
    CredentialFactory(achievement=credential.achievement, recipient_email="someone.else@ville-exemple.fr")
    source = LmsSource.objects.create(name="moodle", secret_digest="x" * 64)
    for event_id, email in (("1", learner.email), ("2", "someone.else@ville-exemple.fr")):
        InboundEvent.objects.create(source=source, kind="moodle", event_id=event_id, email=email,
                                    occurred_at=timezone.now(), payload={"id": event_id})
    signed_in.post(f"/passeport/badges/{credential.public_id}/partager/link", HTTP_ACCEPT="application/json")

    response = signed_in.get("/passeport/mes-donnees.json")

    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == learner.email
    assert data["learner"]["display_name"] == "Camille Dupont" and data["learner"]["direction"] == direction.slug
    assert [c["document"] for c in data["credentials"]] == [json.loads(credential.document)]
    assert data["credentials"][0]["usage"] == {"share/link": 1}
    assert data["credentials"][0]["public"] is False
    assert [e["event_id"] for e in data["events"]] == ["1"]
    assert "someone.else" not in response.content.decode()
    page = signed_in.get("/passeport/mes-donnees/").content.decode()
    assert str(credential.public_id) in page and 'id="data-download"' in page


def test_my_data_lists_my_roles(client, issuer_staff, direction):
    client.force_login(issuer_staff)
    data = json.loads(client.get("/passeport/mes-donnees.json").content)
    assert data["issuer_memberships"] == [{"issuer": direction.slug, "role": "staff"}]


def test_the_badge_page_counts_its_shares_and_downloads(signed_in, credential):
    signed_in.post(f"/passeport/badges/{credential.public_id}/partager/link", HTTP_ACCEPT="application/json")
    signed_in.get(f"/passeport/badges/{credential.public_id}/telecharger/json")
    html = signed_in.get(f"/passeport/badges/{credential.public_id}/").content.decode()
    usage = html.split('id="usage"')[1].split("</ul>")[0]
    assert "Lien copié : 1" in usage and "Téléchargé en JSON : 1" in usage


def test_a_row_that_stands_for_several_uses_counts_each_of_them(signed_in, credential):
    """Verifications are buffered and flushed as one row per credential, kind and channel with their number."""
    CredentialUsage.objects.create(credential=credential, kind="verification", channel="page", count=41)
    CredentialUsage.objects.create(credential=credential, kind="verification", channel="page", count=1)
    signed_in.get(f"/passeport/badges/{credential.public_id}/telecharger/json")
    data = json.loads(signed_in.get("/passeport/mes-donnees.json").content)
    assert data["credentials"][0]["usage"] == {"verification/page": 42, "download/json": 1}
    html = signed_in.get(f"/passeport/badges/{credential.public_id}/").content.decode()
    usage = html.split('id="usage"')[1].split("</ul>")[0]
    assert "Vérifié sur sa page : 42" in usage and "Téléchargé en JSON : 1" in usage


def test_my_data_reads_as_tables_in_words_and_keeps_the_json_download(signed_in, credential):
    html = signed_in.get("/passeport/mes-donnees/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    table = html.split('id="data-badges"')[1].split("</table>")[0]
    assert credential.achievement.name in table and credential.issuer.name in table
    assert "Valide" in table and ("Public" in table or "Privé" in table)
    assert '"valid"' not in table, "states in words, not codes"
    assert 'id="data-download"' in html
    assert 'id="data-events"' in html or "Aucun événement." in html


def test_my_data_holds_my_wallet_copies_and_my_badges_from_elsewhere(signed_in, learner, credential):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from badges_service.openbadges import did_key
    from issuers import copies
    from issuers.models import CredentialCopy
    from learners.models import ForeignBadge

    holder = did_key.did_key_from_public_key(Ed25519PrivateKey.generate().public_key().public_bytes_raw())
    copy = copies.credential_copy_issue(credential=credential, holder=holder, format=CredentialCopy.LDP_VC,
                                        actor=SYSTEM)
    other = CredentialFactory(achievement=credential.achievement, recipient_email="someone.else@ville-exemple.fr")
    copies.credential_copy_issue(credential=other, holder=holder, format=CredentialCopy.LDP_VC, actor=SYSTEM)
    ForeignBadge.objects.create(user=learner, source="url", original="{}", credential_id="https://etat.example/a/1",
                                format="ob2-hosted", name="Accueil du public (État)", issuer_name="Préfecture",
                                status="valid", report={"status": "valid"}, verified_at=timezone.now())

    data = json.loads(signed_in.get("/passeport/mes-donnees.json").content)

    assert [c["id"] for c in data["wallet_copies"]] == [copy.document_id]
    assert data["wallet_copies"][0]["holder"] == holder and data["wallet_copies"][0]["document"] == copy.document
    assert [(b["name"], b["issuer"], b["status"]) for b in data["foreign_badges"]] == [
        ("Accueil du public (État)", "Préfecture", "valid")]
    page = signed_in.get("/passeport/mes-donnees/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Accueil du public (État)" in page.split('id="data-foreign-badges"')[1].split("</table>")[0]
    assert holder[:40] in page.split('id="data-wallet-copies"')[1].split("</table>")[0]
