from django.urls import path

from . import views

urlpatterns = [
    path("", views.index_view, name="retros_index"),
    path("<int:retro_id>/", views.retro_detail_view, name="retro_detail"),
]
