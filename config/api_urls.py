"""/api/v1/: user-level endpoints, and every organisation resource under orgs/<org_slug>/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from goals import api as goals_api
from incentives import api as incentives_api
from people import api as people_api
from people import api_wins as people_api_wins
from plans import api as plans_api
from recognition import api as recognition_api
from retros import api as retros_api
from teams import api as teams_api
from teams import api_feed
from tracking import api as tracking_api

org_router = SimpleRouter()
org_router.register("teams", teams_api.TeamViewSet, basename="team")
org_router.register("members", teams_api.MembershipViewSet, basename="member")
org_router.register("service-tokens", teams_api.ServiceTokenViewSet, basename="service-token")
org_router.register("invitations", teams_api.PendingInvitationViewSet, basename="invitation")
org_router.register("goals", goals_api.GoalViewSet, basename="goal")
org_router.register("supporting-metrics", goals_api.SupportingMetricViewSet, basename="supporting-metric")
org_router.register("goal-comments", goals_api.CommentViewSet, basename="goal-comment")
org_router.register("revisions", goals_api.RevisionViewSet, basename="revision")
org_router.register("initiatives", plans_api.InitiativeViewSet, basename="initiative")
org_router.register("dependencies", plans_api.DependencyViewSet, basename="dependency")
org_router.register("squads", plans_api.SquadViewSet, basename="squad")
org_router.register("team-budgets", plans_api.TeamBudgetViewSet, basename="team-budget")
org_router.register("budget-reallocations", plans_api.ReallocationViewSet, basename="budget-reallocation")
org_router.register("standups", tracking_api.StandupViewSet, basename="standup")
org_router.register("metric-entries", tracking_api.MetricEntryViewSet, basename="metric-entry")
org_router.register("indicators", tracking_api.IndicatorViewSet, basename="indicator")
org_router.register("alerts", tracking_api.AlertViewSet, basename="alert")
org_router.register("corrective-actions", tracking_api.CorrectiveActionViewSet, basename="corrective-action")
org_router.register("notification-channels", tracking_api.ChannelViewSet, basename="notification-channel")
org_router.register("notification-deliveries", tracking_api.DeliveryViewSet, basename="notification-delivery")
org_router.register("reviews", tracking_api.ReviewViewSet, basename="review")
org_router.register("value-imports", tracking_api.ImportJobViewSet, basename="value-import")
org_router.register("alert-rules", tracking_api.AlertRuleViewSet, basename="alert-rule")
org_router.register("bonus-schemes", incentives_api.SchemeViewSet, basename="bonus-scheme")
org_router.register("salaries", incentives_api.SalaryViewSet, basename="salary")
org_router.register("nominations", recognition_api.NominationViewSet, basename="nomination")
org_router.register("stars", recognition_api.StarViewSet, basename="star")
org_router.register("growth-rewards", recognition_api.GrowthRewardViewSet, basename="growth-reward")
org_router.register(
    "instant-reward-rules", recognition_api.InstantRewardRuleViewSet, basename="instant-reward-rule"
)
org_router.register("instant-rewards", recognition_api.EarnedRewardViewSet, basename="instant-reward")
org_router.register("payout-runs", incentives_api.PayoutRunViewSet, basename="payout-run")
org_router.register("money-grants", incentives_api.MoneyGrantViewSet, basename="money-grant")
org_router.register("team-pay", incentives_api.TeamPayViewSet, basename="team-pay")
org_router.register("one-on-ones", people_api.OneOnOneViewSet, basename="one-on-one")
org_router.register("one-on-one-meetings", people_api.MeetingViewSet, basename="one-on-one-meeting")
org_router.register("one-on-one-agenda", people_api.AgendaItemViewSet, basename="one-on-one-agenda")
org_router.register("one-on-one-actions", people_api.ActionItemViewSet, basename="one-on-one-action")
org_router.register("private-notes", people_api.PrivateNoteViewSet, basename="private-note")
org_router.register("pulses", people_api.PulseViewSet, basename="pulse")
org_router.register("pulse-schedules", people_api.PulseScheduleViewSet, basename="pulse-schedule")
org_router.register("small-wins", people_api_wins.SmallWinViewSet, basename="small-win")
org_router.register("retros", retros_api.RetroViewSet, basename="retro")
org_router.register("retro-cards", retros_api.RetroCardViewSet, basename="retro-card")
org_router.register("lessons", retros_api.LessonViewSet, basename="lesson")
org_router.register("knowledge", retros_api.KnowledgeViewSet, basename="knowledge")
org_router.register("retro-actions", retros_api.RetroActionViewSet, basename="retro-action")

urlpatterns = [
    path("ping/", teams_api.PingView.as_view(), name="api_ping"),
    path("floor/", api_feed.FloorView.as_view(), name="api_floor"),
    path("me/", teams_api.MeView.as_view(), name="api_me"),
    path("me/tokens/", teams_api.MyTokenListView.as_view(), name="api-token-list"),
    path("me/tokens/<int:token_id>/revoke/", teams_api.MyTokenRevokeView.as_view(), name="api-token-revoke"),
    path("orgs/", teams_api.OrganizationListView.as_view(), name="api_org_list"),
    path("orgs/<slug:org_slug>/", teams_api.OrganizationDetailView.as_view(), name="api_org_detail"),
    path(
        "orgs/<slug:org_slug>/payouts/preview/",
        incentives_api.PayoutPreviewView.as_view(),
        name="payout-preview",
    ),
    path(
        "orgs/<slug:org_slug>/goals/<int:goal_id>/recompute/",
        tracking_api.GoalRecomputeView.as_view(),
        name="goal-recompute",
    ),
    path(
        "orgs/<slug:org_slug>/star-candidates/",
        recognition_api.StarCandidatesView.as_view(),
        name="star-candidates",
    ),
    path("orgs/<slug:org_slug>/deleted/", api_feed.DeletedView.as_view(), name="api_deleted"),
    path("orgs/<slug:org_slug>/pulse-answers/", people_api.PulseAnswerView.as_view(), name="pulse-answer"),
    path("orgs/<slug:org_slug>/pulse-results/", people_api.PulseResultsView.as_view(), name="pulse-results"),
    path(
        "orgs/<slug:org_slug>/team-burnout/", people_api_wins.TeamBurnoutView.as_view(), name="team-burnout"
    ),
    path(
        "orgs/<slug:org_slug>/burnout-signal/", people_api.BurnoutSignalView.as_view(), name="burnout-signal"
    ),
    path("orgs/<slug:org_slug>/", include(org_router.urls)),
]
