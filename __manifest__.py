# Part of field_service_migration. License LGPL-3.0 (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Field Service Migration",
    "summary": "Migrate Field Service Trakker and Dispatch (dispatch.me) data and schema "
    "into Odoo CRM, from inside Odoo: sample, diff, resumable runs, rollback.",
    "version": "1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "field_service_migration contributors",
    "website": "https://github.com/field-service-migration/field_service_migration",
    "depends": ["crm"],
    "external_dependencies": {"python": ["requests", "markdown"]},
    "data": [
        "security/fsm_migration_security.xml",
        "security/ir.model.access.csv",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "views/fsm_migration_field_views.xml",
        "views/fsm_migration_layout_views.xml",
        "views/fsm_migration_map_views.xml",
        "views/fsm_migration_journal_views.xml",
        "views/fsm_migration_diff_views.xml",
        "views/fsm_migration_run_views.xml",
        "views/fsm_migration_batch_views.xml",
        "views/fsm_migration_reconciliation_views.xml",
        "views/fsm_migration_plan_apply_views.xml",
        "views/fsm_migration_rollback_views.xml",
        "views/fsm_migration_project_views.xml",
        "views/fsm_migration_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "field_service_migration/static/src/**/*",
        ],
        "web.assets_tests": [
            "field_service_migration/static/tests/tours/**/*",
        ],
    },
    "application": True,
    "installable": True,
}
