"""The plan table's rows (issue 14): beyond a few hundred it shows the first PLAN_WINDOW with a
link to all of them; its row forms share one CSRF token; its links and statuses are the same as
before (URLs built once for the page, labels from a dictionary)."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from plans.selectors.pages import PLAN_WINDOW
from tests import factories
from tests.conftest import login
from tests.plans.test_views import big_plan_rows, big_plan_world


def _plan(org, manager, rows: int):
    team = factories.team(org, "Ops", managers=[manager])
    goal = factories.goal(org, manager, team=team, scope="team", start_date=date(2026, 1, 1),
                          end_date=date(2026, 12, 31))  # fmt: skip
    owners, squads, dimensions = big_plan_world(org, manager, [goal])
    big_plan_rows(org, [goal], owners, squads, dimensions, 0, rows)
    return goal


def test_a_long_plan_shows_its_first_rows_and_links_to_all(org, manager):
    goal = _plan(org, manager, PLAN_WINDOW + 5)
    client = login(manager)
    url = reverse("goal_plan", args=[org.slug, goal.pk])
    body = client.get(url).content.decode()
    assert len(re.findall(r'<tr id="initiative-\d+"', body)) == PLAN_WINDOW
    assert f"The first {PLAN_WINDOW} of {PLAN_WINDOW + 5} initiatives." in body
    assert f'<a href="?rows=all">Show all {PLAN_WINDOW + 5} initiatives</a>' in body
    everything = client.get(url, {"rows": "all"}).content.decode()
    assert len(re.findall(r'<tr id="initiative-\d+"', everything)) == PLAN_WINDOW + 5
    assert 'data-testid="plan-window"' not in everything


def test_a_plan_of_a_few_hundred_rows_shows_them_all(org, manager):
    goal = _plan(org, manager, 20)
    body = login(manager).get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    assert len(re.findall(r'<tr id="initiative-\d+"', body)) == 20
    assert 'data-testid="plan-window"' not in body


def test_row_forms_share_one_csrf_token_and_link_to_their_initiative(org, manager):
    goal = _plan(org, manager, 12)
    client = login(manager)
    body = client.get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    progress_forms = re.findall(
        r'<form method="post" action="(/o/acme/plans/initiatives/(\d+)/progress/)" class="progress-form">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
        body,
    )
    assert len(progress_forms) == 12
    assert len({token for _url, _pk, token in progress_forms}) == 1  # one token for the page
    for action, pk, _token in progress_forms:
        assert action == reverse("initiative_progress", args=[org.slug, int(pk)])
        edit = reverse("initiative_edit", args=[org.slug, int(pk)])
        assert f'href="{edit}" hx-get="{edit}"' in body
    # The shared token is accepted: a progress report through a row form is saved.
    pk, token = progress_forms[0][1], progress_forms[0][2]
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager.user)
    strict.get(reverse("goal_plan", args=[org.slug, goal.pk]))
    page = strict.get(reverse("goal_plan", args=[org.slug, goal.pk])).content.decode()
    token = re.search(
        r'class="progress-form"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', page
    )
    assert token is not None
    response = strict.post(reverse("initiative_progress", args=[org.slug, int(pk)]),
                           {"progress": "40", "csrfmiddlewaretoken": token.group(1)})  # fmt: skip
    assert response.status_code == 302
    from plans.models import Initiative

    assert Initiative.objects.get(pk=pk).progress == 40
