from django.urls import path

from . import views

urlpatterns = [
    path("", views.index_view, name="recognition_index"),
    path("nominate/", views.nominate_view, name="recognition_nominate"),
    path("star/", views.star_select_view, name="recognition_star_select"),
    path("stars/", views.honour_board_view, name="honour_board"),
    path("growth/", views.growth_view, name="recognition_growth"),
    path("instant/", views.rules_view, name="instant_reward_rules"),
    path("instant/<int:rule_id>/", views.rule_edit_view, name="instant_reward_rule_edit"),
    path("instant/earned/", views.earned_view, name="instant_rewards_earned"),
]
