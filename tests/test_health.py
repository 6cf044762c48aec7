from __future__ import annotations

from django.test import Client

from teams import services


def test_healthz_reports_database_broker_and_heartbeat(db):
    services.heartbeat_record()
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["broker"]["transport"] in {"redis", "filesystem"}
    assert body["heartbeat"] is not None


def test_healthz_is_503_when_the_broker_is_down(db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"] == {"ok": False, "transport": "redis", "error": "ConnectionError"}
    assert body["database"]["ok"] is True


def test_system_page_shows_the_heartbeat_to_admins(org, admin, member):
    services.heartbeat_record()
    client = Client()
    client.force_login(admin.user)
    page = client.get(f"/o/{org.slug}/settings/system/").content.decode()
    assert 'data-testid="heartbeat-status"' in page
    assert "No recent heartbeat" not in page
    assert 'id="heartbeat-data"' in page
    assert "sqlite" not in page and "postgresql" not in page  # platform details are for staff only
    member_client = Client()
    member_client.force_login(member.user)
    assert member_client.get(f"/o/{org.slug}/settings/system/").status_code == 403


def test_system_page_warns_when_no_heartbeat(org, admin):
    client = Client()
    client.force_login(admin.user)
    page = client.get(f"/o/{org.slug}/settings/system/").content.decode()
    assert "No recent heartbeat" in page


def test_ping_is_public_json():
    response = Client().get("/api/v1/ping/")
    assert response.status_code == 200
    assert response.json() == {"pong": True}


def test_openapi_schema_and_offline_swagger_ui():
    schema = Client().get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/orgs/{org_slug}/teams/" in paths
    assert "tokenAuth" in schema.json()["components"]["securitySchemes"]
    docs = Client().get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
