from django.urls import path

from . import people_views, views

urlpatterns = [
    path("", views.index_view, name="plans_index"),
    path("squads/", people_views.squads_view, name="plan_squads"),
    path("squads/<int:squad_id>/", people_views.squad_edit_view, name="plan_squad_edit"),
    path("people/", people_views.people_view, name="plan_people"),
    path("goals/<int:goal_id>/", views.goal_plan_view, name="goal_plan"),
    path("goals/<int:goal_id>/gantt/", views.goal_gantt_view, name="goal_gantt"),
    path("teams/<int:team_id>/gantt/", views.team_gantt_view, name="team_gantt"),
    path("goals/<int:goal_id>/export.<str:fmt>", views.plan_export_view, name="plan_export"),
    path("goals/<int:goal_id>/initiatives/pick/", views.initiative_pick_view, name="initiative_pick"),
    path("goals/<int:goal_id>/import/", views.plan_import_view, name="plan_import"),
    path("initiatives/<int:initiative_id>/progress/", views.progress_view, name="initiative_progress"),
    path("initiatives/<int:initiative_id>/edit/", views.initiative_edit_view, name="initiative_edit"),
    path("goals/<int:goal_id>/dependencies/", views.dependency_add_view, name="dependency_add"),
    path("goals/<int:goal_id>/reallocate/", views.reallocate_view, name="budget_reallocate"),
    path("goals/<int:goal_id>/team-budget/", views.team_budget_view, name="team_budget"),
    path("dependencies/<int:dependency_id>/delete/", views.dependency_remove_view, name="dependency_remove"),
]
