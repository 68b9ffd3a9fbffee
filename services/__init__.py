"""Pure-Python core of field_service_migration.

Nothing in this package imports ``odoo``: it takes and returns plain data so that it
can be tested in seconds without a database and reused by the benchmarks. Modules
inside it import each other relatively, so the package works both as the top-level
``services`` (pure tests, emulators) and as ``odoo.addons.field_service_migration.services``.
"""
