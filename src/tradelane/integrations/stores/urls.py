from django.urls import re_path

from .views import webhooks as views

urlpatterns = [
    # /hooks/tracking/... belongs to the carriers' tracking webhooks (tradelane.urls), not to a
    # store platform: excluded here so that neither this URLconf nor the /hooks/ fast path
    # (middleware.py) swallows it
    re_path(
        r"^hooks/(?!tracking/)(?P<platform>[^/]+)/(?P<token>[^/]+)$",
        views.webhook,
        name="store-webhook",
    ),
]
