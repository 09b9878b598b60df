"""Messages (the admin's "saved" notices) work although their storage is only made when used."""

import pytest

from tests.page_data import make_actor

SEED_URL = "/briefings/blinken-cairo-israeli-palestinian-violence/"


@pytest.mark.django_db
def test_an_admin_notice_survives_the_redirect_to_the_next_page(client, editor):
    actor = make_actor("Sameh Shoukry", role="Foreign Minister")
    client.force_login(editor)
    response = client.post(
        f"/admin/briefings/actor/{actor.pk}/change/",
        {"name": "Sameh Shoukry", "slug": actor.slug, "kind": actor.kind, "role": "Minister"},
        follow=True,
    )
    assert response.redirect_chain, response.content.decode()[:2000]
    page = response.content.decode()
    assert "was changed successfully" in page
    # Shown once: the next page no longer carries it.
    assert "was changed successfully" not in client.get("/admin/").content.decode()


def test_a_public_page_neither_reads_nor_writes_messages(client, seed):
    response = client.get(SEED_URL)
    assert response.status_code == 200
    assert "messages" not in response.cookies
    assert not response.wsgi_request.session.accessed
