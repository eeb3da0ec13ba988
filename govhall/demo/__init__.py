"""A demonstration county modelled on 容县: data modules, the loader behind ``seed_demo``, the simulated history
behind ``simulate`` and the ``demo_accounts`` list.

An app without models (installed for its management commands), the top layer of the import contract: it may use
every other app and none may use it. It writes only through the other apps' actions."""
