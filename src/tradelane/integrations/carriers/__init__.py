"""Real carrier APIs (DHL Express via MyDHL, FedEx, UPS, USPS international) through karrio,
behind our own contract ``tradelane.logistics.carriers.contract``. karrio is imported only via
``karrio_tls``."""
