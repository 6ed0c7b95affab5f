"""The web UI: the shell's own pages (log in, home, language, login lockouts) and every app's
pages, each app's from its own ``urls`` module, all under the namespace ``web``."""

from django.urls import include, path

from . import views
from .views import auth as auth_views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("settings/login-lockouts/", auth_views.login_lockouts, name="login_lockouts"),
    # the hub's pages before the other apps': the inbound scan is the busiest request of a
    # provider, and the resolver tries the patterns in order (some 130 before it otherwise)
    path("", include("tradelane.forwarding.hub.urls")),
    path("", include("tradelane.accounts.urls")),
    path("", include("tradelane.orders.urls")),
    path("", include("tradelane.catalog.urls")),
    path("", include("tradelane.inventory.urls")),
    path("", include("tradelane.integrations.spreadsheets.urls")),
    path("", include("tradelane.integrations.stores.web_urls")),
    path("", include("tradelane.logistics.urls")),
    path("", include("tradelane.forwarding.urls")),
    path("", include("tradelane.forwarding.portal.urls")),
    path("", include("tradelane.finance.urls")),
]
