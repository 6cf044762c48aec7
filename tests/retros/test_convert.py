"""An action of the retro becomes an initiative on the next period's goal or a corrective action,
through the plans and tracking services: only who may change that goal does it, the link stays on
the action, a double click converts once, and bad choices are answered naming the field."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from goals.periods import quarter_containing
from plans.models import Initiative
from retros import services
from retros.models import RetroAction
from teams.errors import NotAllowed
from teams.selectors import org_today
from tests import factories
from tests.conftest import login
from tests.retros.test_api import api, attrs, base
from tracking.models import Alert, CorrectiveAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_goal(org, sales, boss):
    start, end = quarter_containing(org_today(org))
    return factories.goal(org, boss, team=sales, title="This quarter's deal value", start_date=start, end_date=end,
                          period_kind="quarter", base=D(1100), challenge=D(1300), stretch=D(1600), status="active")  # fmt: skip


@pytest.fixture
def action(org, retro, boss, zhang):
    return services.action_add(retro=retro, actor=boss, description="Promotion budget for the key region",
                               owner=zhang, due_date=org_today(org) + timedelta(days=20))  # fmt: skip


def test_an_action_becomes_an_initiative_on_the_next_quarters_goal(action, boss, zhang, next_goal):
    converted = services.action_convert(action=action, actor=boss, into="initiative", goal_id=next_goal.pk)
    initiative = Initiative.objects.get(goal=next_goal)
    assert converted.initiative == initiative and converted.goal == next_goal
    assert initiative.title == "Promotion budget for the key region" and initiative.owner == zhang
    assert initiative.due_date == action.due_date
    # a double click gives back the same initiative
    again = services.action_convert(action=action, actor=boss, into="initiative", goal_id=next_goal.pk)
    assert again.initiative_id == initiative.pk and Initiative.objects.filter(goal=next_goal).count() == 1


def test_an_initiative_goes_on_a_goal_of_a_later_period(action, boss, quarter_goal):
    with pytest.raises(ValidationError) as error:
        services.action_convert(action=action, actor=boss, into="initiative", goal_id=quarter_goal.pk)
    assert "goal" in error.value.message_dict and not Initiative.objects.exists()


def test_an_action_becomes_a_corrective_action_answering_an_alert(org, sales, action, boss, quarter_goal):
    alert = Alert.objects.create(org=org, kind="lagging_behind", dedupe_key="retro", goal=quarter_goal, team=sales,
                                 raised_on=org_today(org), deviation_pct=D(12), since=quarter_goal.start_date)  # fmt: skip
    converted = services.action_convert(action=action, actor=boss, into="corrective", goal_id=quarter_goal.pk,
                                        alert_id=alert.pk)  # fmt: skip
    corrective = CorrectiveAction.objects.get()
    assert converted.corrective_action == corrective and corrective.alert == alert
    assert corrective.goal == quarter_goal and corrective.owner == action.owner
    with pytest.raises(ValidationError) as error:  # it already became something
        services.action_convert(action=action, actor=boss, into="initiative", goal_id=quarter_goal.pk)
    assert "already became a corrective action" in str(error.value)


def test_only_who_may_change_the_goal_converts(org, action, zhang, next_goal):
    with pytest.raises(NotAllowed):
        services.action_convert(action=action, actor=zhang, into="initiative", goal_id=next_goal.pk)
    other_team_goal = factories.goal(org, team=factories.team(org, "Ops"), status="active",
                                     start_date=next_goal.start_date, end_date=next_goal.end_date)  # fmt: skip
    with pytest.raises(NotAllowed):
        services.action_convert(action=action, actor=zhang, into="corrective", goal_id=other_team_goal.pk)
    assert not Initiative.objects.exists() and not CorrectiveAction.objects.exists()
    assert RetroAction.objects.get(pk=action.pk).initiative_id is None


def test_bad_choices_name_their_field(org, action, boss, next_goal, quarter_goal):
    for kwargs, field in [
        ({"into": "wish", "goal_id": next_goal.pk}, "into"),
        ({"into": "initiative", "goal_id": None}, "goal"),
        ({"into": "corrective", "goal_id": next_goal.pk, "alert_id": 999999}, "alert"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.action_convert(action=action, actor=boss, **kwargs)
        assert field in error.value.message_dict


def test_the_api_converts_and_keeps_the_link(org, action, boss, zhang, next_goal, outsider):
    url = f"{base(org)}/retro-actions/{action.pk}/convert/"
    assert (
        api(zhang).post(url, {"into": "initiative", "goal": next_goal.pk}, format="json").status_code == 403
    )
    response = api(boss).post(url, {"into": "initiative", "goal": 0}, format="json")
    assert response.status_code == 400 and attrs(response) == {"goal"}
    response = api(boss).post(url, {"into": "initiative", "goal": next_goal.pk}, format="json")
    assert response.status_code == 200 and response.json()["initiative"] == Initiative.objects.get().pk
    other = f"/api/v1/orgs/{outsider.org.slug}/retro-actions/{action.pk}/convert/"
    assert (
        api(outsider).post(other, {"into": "initiative", "goal": next_goal.pk}, format="json").status_code
        == 404
    )


def test_the_page_offers_and_does_the_conversion(org, retro, action, boss, next_goal):
    client = login(boss)
    page = client.get(reverse("retro_detail", args=[org.slug, retro.pk])).content.decode()
    url = reverse("retro_action_convert", args=[org.slug, action.pk])
    assert url in page and "This quarter&#x27;s deal value" in page
    response = client.post(url, {"into": "corrective", "goal": next_goal.pk, "alert": "12345"})
    assert response.status_code == 400 and "Alert: Choose an alert of that goal." in response.content.decode()
    response = client.post(url, {"into": "initiative", "goal": next_goal.pk})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Became an initiative" in page and url not in page


def test_the_action_plan_offers_each_person_what_they_may_do(org, retro, action, boss, zhang, li, next_goal):
    """The action rows (built in Python): the owner and the managers mark an action done, only the
    managers convert it, everyone of the team reads it, escaped."""
    services.action_add(retro=retro, actor=boss, description="<b>Bold</b> & co", owner=li,
                        due_date=org_today(org) + timedelta(days=30))  # fmt: skip
    url = reverse("retro_detail", args=[org.slug, retro.pk])
    done = reverse("retro_action_status", args=[org.slug, action.pk])
    convert = reverse("retro_action_convert", args=[org.slug, action.pk])
    owner = login(zhang).get(url).content.decode()
    assert done in owner and convert not in owner and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in owner
    other = login(li).get(url).content.decode()
    assert "Promotion budget for the key region" in other and done not in other and convert not in other
    manager = login(boss).get(url).content.decode()
    assert done in manager and convert in manager
    assert f'<select id="goal-{action.pk}" name="goal"><option value="{next_goal.pk}">' in manager
