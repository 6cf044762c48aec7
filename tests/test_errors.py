"""A crash shows a friendly page (or the API's error format) and never a stack trace."""

from django.test import Client
from django.urls import path

from config import urls as project_urls
from teams.access import public_page


@public_page
def boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [path("boom/", boom), path("api/boom/", boom), *project_urls.urlpatterns]
handler500 = project_urls.handler500


def test_server_error_page_is_friendly(settings, db):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    page = client.get("/boom/")
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode() and "kaboom" not in page.content.decode()
    api = client.get("/api/boom/")
    assert api.status_code == 500
    assert api.json()["type"] == "server_error" and "kaboom" not in api.content.decode()
