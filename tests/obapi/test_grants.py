"""The person sees the applications they allowed (passport, "Applications autorisées") and withdraws one: its
tokens stop working at once, over real HTTP; another person's grants are neither listed nor withdrawable."""

from __future__ import annotations

import re

from tests.obapi.conftest import hidden_inputs


def _withdraw_form(html: str, name: str) -> tuple[str, dict]:
    action = re.search(r'<form method="post" action="(/passeport/applications/\d+/retirer)">', html)
    assert action and name in html
    return action.group(1), hidden_inputs(html)


def test_a_withdrawn_application_loses_its_tokens_at_once(oauth_client, camille, dominique, signed_in):
    browser = signed_in(camille)
    tokens = oauth_client.access_token(browser)
    assert oauth_client.api("GET", "credentials", tokens["access_token"]).status_code == 200
    name = oauth_client.registration["client_name"]

    page = browser.session.get(f"{oauth_client.base}/passeport/applications/")
    assert page.status_code == 200
    action, form = _withdraw_form(page.text, name)
    assert "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly" in page.text

    other = signed_in(dominique)
    their_page = other.session.get(f"{oauth_client.base}/passeport/applications/")
    assert name not in their_page.text and 'id="no-grants"' in their_page.text
    refused = other.session.post(f"{oauth_client.base}{action}", data=hidden_inputs(their_page.text),
                                 headers={"Referer": f"{oauth_client.base}/passeport/applications/"})
    assert refused.status_code == 404  # not theirs: nothing withdrawn
    assert oauth_client.api("GET", "credentials", tokens["access_token"]).status_code == 200

    done = browser.session.post(f"{oauth_client.base}{action}", data=form,
                                headers={"Referer": f"{oauth_client.base}/passeport/applications/"})
    assert done.status_code == 200 and 'id="no-grants"' in done.text and name in done.text  # the message names it
    assert oauth_client.api("GET", "credentials", tokens["access_token"]).status_code == 401
    assert oauth_client.refresh(tokens["refresh_token"]).status_code == 400  # invalid_grant: ask again
