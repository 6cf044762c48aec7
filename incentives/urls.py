from django.urls import path

from . import views

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
