from django.urls import path

from . import views

urlpatterns = [
    path("", views.index_view, name="incentives_index"),
    path("schemes/", views.schemes_view, name="incentive_schemes"),
    path("schemes/<int:scheme_id>/assign/", views.assign_view, name="scheme_assign"),
    path("salaries/", views.salary_view, name="salary_set"),
]
