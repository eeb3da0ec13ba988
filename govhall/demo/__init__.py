"""A demonstration county modelled on 容县 (domain §2): data modules plus the loader behind ``seed_demo``.

Not a Django app: it owns no models and writes only through the org and catalog actions."""
