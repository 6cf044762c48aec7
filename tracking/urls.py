from django.urls import path

from . import integration_views, views

urlpatterns = [
    path("", views.index_view, name="tracking_index"),
    path("standup/", views.standup_view, name="standup"),
    path("me/", views.my_work_view, name="my_work"),
    path("overview/", views.overview_view, name="org_overview"),
    path("teams/<int:team_id>/board/", views.board_view, name="team_board"),
    path(
        "standups/<int:standup_id>/resolve-blocker/",
        views.standup_blocker_resolve_view,
        name="standup_blocker_resolve",
    ),
    path("teams/<int:team_id>/rhythm/", views.rhythm_view, name="team_rhythm"),
    path("standup/reminders/", views.preference_view, name="reminder_preference"),
    path("teams/<int:team_id>/", views.dashboard_view, name="team_dashboard"),
    path("teams/<int:team_id>/weekly/", views.weekly_review_view, name="weekly_review"),
    path("teams/<int:team_id>/monthly/", views.monthly_review_view, name="monthly_review"),
    path("teams/<int:team_id>/monthly.<str:fmt>", views.monthly_export_view, name="monthly_export"),
    path("goals/<int:goal_id>/values/", views.values_view, name="goal_values"),
    path("values/<int:entry_id>/delete/", views.entry_delete_view, name="entry_delete"),
    path("values/import/", views.values_import_view, name="values_import"),
    path("values/import/template.csv", views.values_template_view, name="values_template"),
    path("values/import/<int:job_id>/", views.import_job_view, name="import_job"),
    path("alerts/", views.alert_list_view, name="alert_list"),
    path("alerts/<int:alert_id>/", views.alert_detail_view, name="alert_detail"),
    path("alerts/<int:alert_id>/resolve/", views.alert_resolve_view, name="alert_resolve"),
    path("actions/<int:action_id>/", views.action_update_view, name="action_update"),
    path("inbox/", views.inbox_view, name="inbox"),
    path("channels/", views.channels_view, name="channels"),
    path("channels/rules/<str:kind>/", views.rule_view, name="alert_rule"),
]

# Settings → Integrations, included under /o/<org_slug>/settings/integrations/ by config.urls.
integration_urlpatterns = [
    path("", integration_views.integrations_view, name="integrations"),
    path("<int:channel_id>/", integration_views.integration_edit_view, name="integration_edit"),
    path("<int:channel_id>/switch/", integration_views.integration_enabled_view, name="integration_enabled"),
    path("<int:channel_id>/test/", integration_views.integration_test_view, name="integration_test"),
    path("<int:channel_id>/delete/", integration_views.integration_delete_view, name="integration_delete"),
    path("deliveries/<int:delivery_id>/", integration_views.delivery_status_view, name="delivery_status"),
    path("deliveries/<int:delivery_id>/retry/", integration_views.delivery_retry_view, name="delivery_retry"),
]
