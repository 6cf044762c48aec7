from django.urls import path

from . import views

urlpatterns = [
    path("", views.index_view, name="tracking_index"),
    path("standup/", views.standup_view, name="standup"),
    path("teams/<int:team_id>/board/", views.board_view, name="team_board"),
    path("goals/<int:goal_id>/values/", views.values_view, name="goal_values"),
    path("values/<int:entry_id>/delete/", views.entry_delete_view, name="entry_delete"),
]
