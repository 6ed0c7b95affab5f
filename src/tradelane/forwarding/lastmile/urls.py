"""The last-mile switch's pages, joined to the web UI's namespace by ``forwarding.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("hub/lastmile/", views.page, name="lastmile"),
    path("hub/lastmile/action/", views.action, name="lastmile_action"),
    path("hub/lastmile/<str:number>/label", views.label, name="lastmile_label"),
    # public: a provider's parcel by its waybill, tracking or last-mile number
    path("w/<str:number>", views.public_page, name="waybill_public_tracking"),
]
