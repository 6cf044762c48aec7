from django.urls import path

from . import views

urlpatterns = [
    path("", views.index_view, name="retros_index"),
    path("start/", views.start_view, name="retro_start"),
    path("knowledge/", views.knowledge_view, name="retros_knowledge"),
    path("<int:retro_id>/", views.retro_detail_view, name="retro_detail"),
    path("<int:retro_id>/export/<str:fmt>/", views.retro_export_view, name="retro_export"),
    path("cards/<int:card_id>/", views.card_view, name="retro_card"),
    path("lessons/<int:lesson_id>/publish/", views.lesson_publish_view, name="retro_lesson_publish"),
    path("actions/<int:retro_action_id>/status/", views.action_status_view, name="retro_action_status"),
]
