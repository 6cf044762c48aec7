from django.urls import path

from . import decomposition_views, views

urlpatterns = [
    path("", views.index_view, name="goals_index"),
    path("new/", views.goal_create_view, name="goal_create"),
    path("smart-check/", views.smart_check_view, name="goal_smart_check"),
    path("period-dates/", views.period_dates_view, name="goal_period_dates"),
    path("<int:goal_id>/", views.goal_detail_view, name="goal_detail"),
    path("<int:goal_id>/edit/", views.goal_edit_view, name="goal_edit"),
    path("<int:goal_id>/status/", views.goal_status_view, name="goal_status"),
    path("<int:goal_id>/comments/", views.goal_comment_view, name="goal_comment"),
    path("<int:goal_id>/metrics/", views.goal_metric_view, name="goal_metric"),
    path(
        "<int:goal_id>/metrics/<int:metric_id>/delete/",
        views.goal_metric_delete_view,
        name="goal_metric_delete",
    ),
    path("<int:goal_id>/revisions/", views.goal_revision_view, name="goal_revision"),
    path("<int:goal_id>/draft-panels/", views.goal_draft_panels_view, name="goal_draft_panels"),
    path("<int:goal_id>/decompose/", decomposition_views.goal_decompose_view, name="goal_decompose"),
    path("<int:goal_id>/split/", decomposition_views.goal_split_view, name="goal_split"),
    path("revisions/<int:revision_id>/decide/", views.revision_decide_view, name="revision_decide"),
]
