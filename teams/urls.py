"""Pages of the teams app. Organisation pages are included under /o/<org_slug>/ by config.urls."""

from django.urls import path

from . import account_views, views

account_urlpatterns = [
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("profile/", account_views.profile_view, name="profile"),
    path("password/", account_views.password_change_view, name="password_change"),
    path("password/reset/", account_views.password_reset_view, name="password_reset"),
    path("password/reset/sent/", account_views.password_reset_done_view, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.password_reset_confirm_view,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", account_views.password_reset_complete_view, name="password_reset_complete"),
    path("welcome/<uidb64>/<token>/", account_views.set_password_view, name="set_password"),
    path("invitations/<str:token>/", account_views.invitation_accept_view, name="invitation_accept"),
    path("tokens/", account_views.api_tokens_view, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", account_views.api_token_revoke_view, name="api_token_revoke"),
]

org_urlpatterns = [
    path("", views.org_home_view, name="org_home"),
    path("teams/", views.team_directory_view, name="team_directory"),
    path("floor/", views.org_floor_view, name="org_floor"),
    path("settings/", views.org_settings_view, name="org_settings"),
    path("settings/teams/", views.team_list_view, name="team_list"),
    path("settings/teams/<int:team_id>/", views.team_edit_view, name="team_edit"),
    path("settings/teams/<int:team_id>/delete/", views.team_delete_view, name="team_delete"),
    path("settings/members/", views.member_list_view, name="member_list"),
    path("settings/members/invite/", views.member_invite_view, name="member_invite"),
    path("settings/members/<int:membership_id>/", views.member_edit_view, name="member_edit"),
    path("settings/members/<int:membership_id>/active/", views.member_active_view, name="member_active"),
    path("settings/members/<int:membership_id>/resend/", views.member_resend_view, name="member_resend"),
    path(
        "settings/invitations/<int:invitation_id>/resend/",
        views.invitation_resend_view,
        name="invitation_resend",
    ),
    path(
        "settings/invitations/<int:invitation_id>/cancel/",
        views.invitation_cancel_view,
        name="invitation_cancel",
    ),
    path("settings/system/", views.system_view, name="system"),
]
