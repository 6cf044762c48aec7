"""Pages of the teams app. Organisation pages are included under /o/<org_slug>/ by config.urls."""

from django.urls import path

from . import account_views, mfa_views, sign_in_views, views

account_urlpatterns = [
    path("login/", account_views.login_view, name="login"),
    # allauth's sign-in steps send people back to "account_login": the same page.
    path("login/", account_views.login_view, name="account_login"),
    path("login/code/", mfa_views.mfa_authenticate_view, name="mfa_authenticate"),
    path("security/", mfa_views.mfa_settings_view, name="mfa_settings"),
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
    # The provider's redirect URI is <SITE_URL>/accounts/sso/oidc/<provider_id>/login/callback/.
    path("sso/oidc/<str:provider_id>/login/", account_views.sso_login_view, name="openid_connect_login"),
    path(
        "sso/oidc/<str:provider_id>/login/callback/",
        account_views.sso_callback_view,
        name="openid_connect_callback",
    ),
    path("sso/feishu/login/", account_views.feishu_login_view, name="feishu_login"),
    path("sso/feishu/login/callback/", account_views.feishu_callback_view, name="feishu_callback"),
    path("sso/dingtalk/login/", account_views.dingtalk_login_view, name="dingtalk_login"),
    path("sso/dingtalk/login/callback/", account_views.dingtalk_callback_view, name="dingtalk_callback"),
    path("sso/wecom/login/", account_views.wecom_login_view, name="wecom_login"),
    path("sso/wecom/login/callback/", account_views.wecom_callback_view, name="wecom_callback"),
    path("tokens/", account_views.api_tokens_view, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", account_views.api_token_revoke_view, name="api_token_revoke"),
]

org_urlpatterns = [
    path("", views.org_home_view, name="org_home"),
    path("teams/", views.team_directory_view, name="team_directory"),
    path("people/pick/<slug:people_rule>/", views.people_pick_view, name="people_pick"),
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
    path("settings/sign-in/", sign_in_views.sign_in_settings_view, name="sign_in_settings"),
    path("settings/sign-in/domains/", sign_in_views.domain_add_view, name="domain_add"),
    path("settings/sign-in/domains/<int:domain_id>/", sign_in_views.domain_action_view, name="domain_action"),
    path("settings/system/", views.system_view, name="system"),
    path(
        "settings/tokens/<int:service_token_id>/revoke/",
        views.service_token_revoke_view,
        name="service_token_revoke",
    ),
]
