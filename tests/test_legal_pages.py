"""The privacy and terms pages exist where the Open Badges API's discovery document says they are."""

from django.conf import settings


def test_the_pages_the_discovery_document_cites_answer(client, db):
    discovery = client.get("/ims/ob/v3p0/discovery").json()
    privacy = discovery["info"]["x-imssf-privacyPolicyUrl"]
    terms = discovery["info"]["termsOfService"]
    for url, title in ((privacy, "<h1>Confidentialité"), (terms, "<h1>Conditions")):
        assert url.startswith(settings.BADGES_PUBLIC_URL)
        page = client.get(url.removeprefix(settings.BADGES_PUBLIC_URL), HTTP_ACCEPT_LANGUAGE="fr")
        assert page.status_code == 200 and title in page.content.decode()


def test_the_privacy_page_links_a_signed_in_person_to_their_data(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("camille", email="camille@ville-exemple.fr"))
    assert "/passeport/mes-donnees/" in client.get("/confidentialite/").content.decode()
