"""The organisation's time zone is found by typing (a <datalist> of the 400+ zones, no script), and
anything that is not a time zone is refused with a message next to the field, as typed."""

from __future__ import annotations

import re

from django.urls import reverse

from teams.models import Organization
from tests.conftest import login
from tests.html import field_errors, form_data


def _settings(client, org):
    return client.get(reverse("org_settings", args=[org.slug])).content.decode()


def _post(client, org, **changes):
    data = {"name": org.name, "timezone": org.timezone, "currency": org.currency,
            "default_language": org.default_language, "fiscal_year_start_month": org.fiscal_year_start_month,
            "experiment_allowance": org.experiment_allowance, **changes}  # fmt: skip
    return client.post(reverse("org_settings", args=[org.slug]), data)


def test_the_time_zone_is_a_searchable_input_not_a_list_of_400_names(org, admin):
    html = _settings(login(admin), org)
    assert '<select name="timezone"' not in html
    field = re.search(r'<input[^>]*name="timezone"[^>]*>', html).group(0)
    list_id = re.search(r'list="([^"]+)"', field).group(1)
    datalist = html.split(f'<datalist id="{list_id}">')[1].split("</datalist>")[0]
    assert '<option value="Asia/Shanghai">UTC+08:00</option>' in datalist
    assert datalist.count("<option") > 300
    assert 'value="Asia/Shanghai"' in field and 'autocomplete="off"' in field
    assert 'aria-describedby="id_timezone_helptext"' in field and 'id="id_timezone_helptext"' in html


def test_a_time_zone_typed_in_any_case_is_saved_as_its_name(org, admin):
    client = login(admin)
    assert _post(client, org, timezone="europe/london").status_code == 302
    assert Organization.objects.get(pk=org.pk).timezone == "Europe/London"
    assert _post(client, org, timezone=" America/New York ").status_code == 302
    assert Organization.objects.get(pk=org.pk).timezone == "America/New_York"


def test_an_unknown_time_zone_is_refused_next_to_the_field_as_typed(org, admin):
    response = _post(login(admin), org, timezone="Mars/Olympus Mons", name="Acme renamed")
    assert response.status_code == 400
    html = response.content.decode()
    assert "“Mars/Olympus Mons” is not a time zone" in field_errors(html, "timezone")
    data = form_data(html, method="post", novalidate="")
    assert data["timezone"] == ["Mars/Olympus Mons"] and data["name"] == ["Acme renamed"]
    org.refresh_from_db()
    assert (org.timezone, org.name) == ("Asia/Shanghai", "Acme")
