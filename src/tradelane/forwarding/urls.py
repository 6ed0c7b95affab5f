"""The provider's pages (mounted by web/urls.py under the ``web`` namespace)."""

from django.urls import path

from .bookings import urls as bookings
from .declarations import urls as declarations
from .lastmile import urls as lastmile
from .outbound import urls as outbound
from .partners import views as partners

urlpatterns = [
    path("provider/customers/", partners.customers, name="provider_customers"),
    path("provider/customers/<str:code>/", partners.customer, name="provider_customer"),
    path(
        "provider/customers/<str:code>/status/",
        partners.customer_status,
        name="provider_customer_status",
    ),
    path(
        "provider/customers/<str:code>/portal-users/",
        partners.customer_portal_user,
        name="provider_customer_portal_user",
    ),
    path(
        "provider/customers/<str:code>/api-keys/",
        partners.customer_api_key,
        name="provider_customer_api_key",
    ),
    path(
        "provider/customers/<str:code>/api-keys/<int:pk>/revoke/",
        partners.customer_api_key_revoke,
        name="provider_customer_api_key_revoke",
    ),
    path(
        "provider/customers/<str:code>/webhook/",
        partners.customer_webhook,
        name="provider_customer_webhook",
    ),
    path("provider/levels/", partners.levels, name="provider_levels"),
    path("provider/agents/", partners.agents, name="provider_agents"),
]
urlpatterns += bookings.urlpatterns  # appointments and freight space
urlpatterns += outbound.urlpatterns  # bags, dispatches, manifests
urlpatterns += lastmile.urlpatterns  # the last-mile switch (转单)
urlpatterns += declarations.urlpatterns  # customs batches, exports, documents (报关)
