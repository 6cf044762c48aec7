from django.urls import path

from . import pay_views, views

urlpatterns = [
    path("", views.index_view, name="incentives_index"),
    path("schemes/", views.schemes_view, name="incentive_schemes"),
    path("schemes/<int:scheme_id>/", views.scheme_view, name="incentive_scheme"),
    path("schemes/<int:scheme_id>/assign/", views.assign_view, name="scheme_assign"),
    path("salaries/", views.salary_view, name="salary_set"),
    path("runs/", views.runs_view, name="payout_runs"),
    path("runs/<int:run_id>/", views.run_view, name="payout_run"),
    path("runs/<int:run_id>/decide/", views.run_decide_view, name="payout_run_decide"),
    path("runs/<int:run_id>/lines/<int:line_id>/adjust/", views.line_adjust_view, name="payout_line_adjust"),
    path("runs/<int:run_id>/export.xlsx", views.run_export_view, {"fmt": "xlsx"}, name="payout_run_xlsx"),
    path("runs/<int:run_id>/export.csv", views.run_export_view, {"fmt": "csv"}, name="payout_run_csv"),
]

urlpatterns += [
    path("team-pay/", pay_views.team_pay_view, name="team_pay"),
    path("team-pay.csv", pay_views.team_pay_csv_view, name="team_pay_csv"),
]

# Settings → Pay access, included under /o/<org_slug>/settings/pay-access/ by config.urls.
grant_urlpatterns = [
    path("", pay_views.grants_view, name="money_grants"),
    path("<int:grant_id>/revoke/", pay_views.grant_revoke_view, name="money_grant_revoke"),
]
