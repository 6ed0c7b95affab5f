from django.urls import path

from . import views

app_name = "tracking_hooks"

urlpatterns = [
    path("<str:account_code>", views.receive, name="receive"),
]
