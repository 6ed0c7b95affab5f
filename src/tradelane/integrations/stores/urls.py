from django.urls import path

from . import views

urlpatterns = [
    path("hooks/<str:platform>/<str:token>", views.webhook, name="store-webhook"),
]
