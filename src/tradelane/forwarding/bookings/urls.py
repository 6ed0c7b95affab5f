"""The pages of appointments and freight space, joined to the web UI's namespace by
``tradelane.web.urls``."""

from django.urls import path

from . import views

urlpatterns = [
    path("bookings/departures/", views.departures, name="departures"),
    path("bookings/departures/new/", views.departure_new, name="departure_new"),
    path("bookings/departures/<int:pk>/", views.departure, name="departure"),
    path("bookings/departures/<int:pk>/status/", views.departure_status, name="departure_status"),
    path("bookings/space/<int:pk>/cancel/", views.space_cancel, name="space_cancel"),
    path("bookings/pickups/", views.pickups, name="pickups"),
    path("bookings/pickups/<int:pk>/action/", views.pickup_action, name="pickup_action"),
    path("bookings/pickups/dispatch/", views.pickup_dispatch, name="pickup_dispatch"),
    path("bookings/driver/", views.driver, name="pickup_driver"),
    path("bookings/driver/tasks/<int:pk>/", views.driver_task, name="pickup_driver_task"),
    path("bookings/slots/<int:pk>/", views.slot, name="slot"),
    path("bookings/hubs/", views.hubs, name="hubs"),
]
