from django.apps import AppConfig


class ForwardingConfig(AppConfig):
    """The provider side: partners (customers, levels, agents, upstream lines), waybills, the
    customer portal and the open push API. One Django app (label ``forwarding``) split into
    sub-packages by concern, as the logistics kernel is."""

    name = "tradelane.forwarding"
    label = "forwarding"
    verbose_name = "Forwarding (provider)"

    def ready(self) -> None:
        # outbox handlers and signal receivers register themselves on import: signed webhooks
        # to customers, the hub's hold on a customer's intercept, the last-mile label job;
        # the last-mile tracking poll is a job of the worker's sweep
        from .hub import holds, sorting  # noqa: F401
        from .lastmile import carrier_labels, tracking  # noqa: F401
        from .outbound.bags import open_bag_label
        from .waybills import notifications  # noqa: F401  (its topic name, for the handler)

        # the inbound scan names the open bag of the parcel's sort key (outbound sits above)
        sorting.register_bag_finder(open_bag_label)
