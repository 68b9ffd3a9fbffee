/** @odoo-module **/
// A Migration User reads projects and reports, and is offered no way to run, change or
// roll back a migration.

import { registry } from "@web/core/registry";
import { openMigrations, statButton, step } from "./migration_path_tour";

const MANAGER_BUTTONS = [
    "action_test_connection", "action_discover", "action_propose_map", "action_run_sample",
    "action_approve_sample", "action_discard_sample", "action_start_full_run",
    "action_start_cutover", "action_delta", "action_open_rollback",
];

registry.category("web_tour.tours").add("fsm_migration_reader", {
    url: "/odoo",
    steps: () => [
        ...openMigrations,
        {
            trigger: ".o_kanban_record:contains('Audited migration') .o_progressbar",
            content: "the project's card shows its last run's progress; no New button",
            run() {
                if (document.querySelector(".o-kanban-button-new")) {
                    throw new Error("a Migration User is offered to create a project");
                }
            },
        },
        {
            trigger: ".o_kanban_record:contains('Audited migration')",
            content: "open the project",
            run: "click",
        },
        step("verify"),
        {
            trigger: ".o_form_view .o_fsm_next_step:contains('reconciliation')",
            content: "no button that runs, changes or rolls back",
            run() {
                const offered = MANAGER_BUTTONS.filter((name) =>
                    document.querySelector(`.o_form_view button[name=${name}]`));
                if (offered.length) {
                    throw new Error(`a Migration User is offered: ${offered.join(", ")}`);
                }
                if (document.querySelector(".o_notebook .nav-link[name=connection]")) {
                    throw new Error("a Migration User sees the connection settings");
                }
            },
        },
        {
            trigger: ".o_fsm_run_progress[data-state='done'] .o_fsm_overall_bar:contains('100')",
            content: "the last run's progress, per object",
        },
        ...statButton("action_open_reconciliation", "open the reconciliation"),
        { trigger: ".o_list_view .o_group_header:first", run: "click" },
        { trigger: ".o_list_view .o_data_row:contains('customers')" },
        {
            trigger: ".o_breadcrumb .breadcrumb-item:contains('Audited migration')",
            run: "click",
        },
        ...statButton("action_open_runs", "open the runs"),
        { trigger: ".o_list_view .o_data_row:first .o_data_cell", run: "click" },
        {
            trigger: ".o_form_view .o_fsm_run_progress[data-state='done']",
            content: "the run's report; no pause, no resume for a reader",
            run() {
                for (const name of ["action_pause", "action_resume"]) {
                    if (document.querySelector(`.o_form_view button[name=${name}]`)) {
                        throw new Error(`a Migration User is offered ${name}`);
                    }
                }
            },
        },
        {
            trigger: "[data-menu-xmlid='field_service_migration.menu_fsm_migration_throughput']",
            content: "the throughput report",
            run: "click",
        },
        { trigger: ".o_graph_view .o_graph_renderer canvas", content: "records per minute" },
        {
            trigger: "[data-menu-xmlid='field_service_migration.menu_fsm_migration_reconciliation']",
            content: "the reconciliation of every run",
            run: "click",
        },
        { trigger: ".o_list_view .o_group_header" },
        { trigger: ".o_switch_view.o_graph", content: "as a graph", run: "click" },
        { trigger: ".o_graph_view .o_graph_renderer canvas" },
        {
            trigger: "[data-menu-xmlid='field_service_migration.menu_fsm_migration_issues']",
            content: "failed and blocked records",
            run: "click",
        },
        { trigger: ".o_switch_view.o_pivot", content: "by object and cause", run: "click" },
        { trigger: ".o_pivot_view .o_pivot, .o_pivot_view .o_view_nocontent" },
    ],
});
