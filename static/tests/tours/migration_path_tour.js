/** @odoo-module **/
// The consultant's whole path in the browser, against the Dispatch emulator the test
// started (its URL comes in the cookie fsm_tour_source_url): create a project, connect,
// discover, confirm the map, apply the plan, sample, read the diff, approve, run (pause,
// resume, watch it reach 100 % without reloading), reconciliation, roll back.

import { registry } from "@web/core/registry";

function sourceUrl() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("fsm_tour_source_url="));
    if (!cookie) {
        throw new Error("the test did not give the emulator URL (cookie fsm_tour_source_url)");
    }
    return decodeURIComponent(cookie.split("=")[1]);
}

const STEPS = {
    discover: "Discover", plan: "Plan schema", map: "Map", sample: "Sample", run: "Full run",
    verify: "Verify", rolled_back: "Rolled back",
};

/** The status bar shows the step, unfolded or (narrow screen) folded to its label. Steps
 * after a heavy server action (discovery, schema plan: the registry reloads) may take long
 * on a busy machine. */
export const step = (state) => ({
    trigger:
        `.o_statusbar_status button.o_arrow_button_current[data-value='${state}'], ` +
        `.o_statusbar_status button.dropdown-toggle:not(.o_arrow_button):contains('${STEPS[state]}')`,
    content: `the project is at the step ${state}`,
    timeout: 60000,
});

const backToProject = [
    {
        trigger: ".o_breadcrumb .breadcrumb-item:contains('Tour migration')",
        content: "back to the project",
        run: "click",
    },
    { trigger: ".o_breadcrumb .o_last_breadcrumb_item:contains('Tour migration')" },
];

/** Click a smart button of the form, opening the "More" menu first when it sits in it. */
export function statButton(name, content) {
    return [
        {
            trigger: ".o_form_view .o-form-buttonbox",
            content: `find the smart button ${name}`,
            run() {
                if (!document.querySelector(`.o-form-buttonbox .oe_stat_button[name=${name}]`)) {
                    document.querySelector(".o-form-buttonbox .o_button_more").click();
                }
            },
        },
        { trigger: `.oe_stat_button[name=${name}]`, content, run: "click" },
    ];
}

export const openMigrations = [
    // stepUtils.showAppsMenuItem(), spelled out: its module is
    // @web_tour/tour_service/tour_utils on 18.0 and @web_tour/tour_utils on 19.0
    {
        isActive: ["auto", "community", "desktop"],
        trigger: ".o_navbar_apps_menu button:enabled",
        tooltipPosition: "bottom",
        run: "click",
    },
    {
        trigger: ".o_app[data-menu-xmlid='field_service_migration.menu_fsm_migration_root']",
        content: "open the Migrations app",
        run: "click",
    },
    { trigger: ".o_kanban_view.o_fsm_project_kanban", content: "the dashboard of projects" },
];

registry.category("web_tour.tours").add("fsm_migration_path", {
    url: "/odoo",
    steps: () => [
        ...openMigrations,
        { trigger: ".o-kanban-button-new", content: "new project", run: "click" },
        {
            trigger: ".o_field_widget[name=name] input",
            content: "name the project",
            run: "edit Tour migration",
        },
        {
            trigger: ".o_field_widget[name=source_url] input",
            content: "the Dispatch emulator's URL",
            async run(helpers) {
                await helpers.edit(sourceUrl());
            },
        },
        { trigger: ".o_field_widget[name=client_id] input", run: "edit odoo" },
        { trigger: ".o_field_widget[name=client_secret_input] input", run: "edit s3cret" },
        { trigger: ".o_field_widget[name=sample_size] input", run: "edit 40" },
        { trigger: ".o_field_widget[name=fallback_user_id] input", run: "edit Admin" },
        {
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains('Admin')",
            content: "technicians without an Odoo user go to the administrator",
            run: "click",
        },
        { trigger: ".o_form_button_save", content: "save the project", run: "click" },
        { trigger: ".o_form_saved" },
        {
            trigger: ".o_fsm_next_step:contains('Test connection')",
            content: "the form says what to do next",
        },
        {
            trigger: ".o_statusbar_buttons:has(button.o_fsm_waiting:disabled[data-tooltip*='connection']:contains('Discover'))",
            content: "the next step waits, disabled, and says why",
        },
        {
            trigger: ".o_statusbar_buttons button[name=action_test_connection].btn-primary",
            content: "test the connection",
            run: "click",
        },
        { trigger: ".o_notification:contains('Connection OK')", timeout: 30000 },
        step("discover"),
        {
            trigger: ".o_statusbar_buttons button[name=action_discover].btn-primary",
            content: "discover the source",
            run: "click",
        },
        step("plan"),
        {
            trigger: ".oe_stat_button[name=action_open_data_dictionary] .o_stat_value:contains('10')",
            content: "ten source objects discovered",
        },
        {
            trigger: ".o_statusbar_buttons button[name=action_propose_map].btn-primary",
            content: "propose a map",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=field_line_ids] .o_data_row",
            content: "the proposed field lines, lowest confidence first",
            timeout: 60000,
        },
        {
            trigger: ".o_notebook .nav-link:contains('Users')",
            content: "review the users",
            run: "click",
        },
        { trigger: ".o_field_widget[name=user_line_ids] .o_data_row" },
        {
            trigger: ".o_statusbar_buttons button[name=action_confirm]",
            content: "confirm the map",
            run: "click",
        },
        {
            trigger: ".modal:contains('freezes this version') .modal-footer .btn-primary",
            content: "the dialog says what confirming does",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='confirmed']",
        },
        ...backToProject,
        step("map"),
        {
            trigger: ".o_statusbar_buttons button.btn-primary:contains('Apply schema plan')",
            content: "apply the schema plan",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=field_count]",
            content: "the wizard lists what it will create",
        },
        { trigger: ".modal button[name=action_apply]", run: "click" },
        {
            trigger: ".o_statusbar_buttons:has(button.o_fsm_waiting:disabled[data-tooltip*='approve']:contains('Run the migration'))",
            content: "the full run waits for an approved sample",
        },
        step("sample"),
        {
            trigger: ".o_statusbar_buttons button[name=action_run_sample]",
            content: "run a sample",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_group_header:contains('Equal')",
            content: "the field-level diff of the sample, grouped by status",
            timeout: 60000,
        },
        {
            trigger: ".o_list_view .o_group_header:contains('Equal')",
            content: "open the equal fields",
            run: "click",
        },
        { trigger: ".o_list_view .o_data_row .o_data_cell[name=odoo_value]" },
        ...backToProject,
        {
            trigger: ".o_statusbar_buttons button[name=action_open_discard_sample]",
            content: "discard the sample (as when the map needs a fix)",
            run: "click",
        },
        {
            trigger: ".modal .o_fsm_rollback_summary:contains('records removed')",
            content: "the wizard says what discarding removes",
        },
        { trigger: ".modal button[name=action_rollback]", run: "click" },
        {
            trigger: ".modal:contains('deletes the records') .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_fsm_next_step:contains('Run a sample')",
            content: "the sample is gone: sample again",
            timeout: 60000,
        },
        {
            trigger: ".o_statusbar_buttons button[name=action_run_sample]",
            content: "run the sample again",
            run: "click",
        },
        { trigger: ".o_list_view .o_group_header:contains('Equal')", timeout: 60000 },
        ...backToProject,
        {
            trigger: ".o_fsm_next_step:contains('approve the sample')",
            content: "the form waits for the approval",
        },
        {
            trigger: ".o_statusbar_buttons button[name=action_approve_sample]",
            content: "approve the sample",
            run: "click",
        },
        step("run"),
        {
            trigger: ".o_statusbar_buttons button[name=action_start_full_run]",
            content: "run the migration",
            run: "click",
        },
        {
            trigger: ".modal:contains('writes every source record') .modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_fsm_run_progress .o_fsm_object_progress tr[data-object='customers']",
            content: "a progress bar per source object",
            timeout: 60000,
        },
        {
            trigger: ".o_statusbar_buttons button[name=action_pause]",
            content: "pause the run",
            run: "click",
        },
        { trigger: ".o_fsm_run_progress[data-state='paused'] .badge:contains('Paused')" },
        {
            trigger: ".o_statusbar_buttons button[name=action_resume]",
            content: "resume it",
            run: "click",
        },
        {
            trigger: ".o_fsm_run_progress[data-state='done'] .o_fsm_overall_bar:contains('100')",
            content: "the progress reaches 100 % without reloading the page",
            timeout: 60000,
        },
        { trigger: ".o_statusbar_status button.o_arrow_button_current[data-value='done']" },
        {
            trigger: ".o_breadcrumb .breadcrumb-item:contains('Tour migration')",
            content: "back to the project",
            run: "click",
        },
        step("verify"),
        ...statButton("action_open_reconciliation", "open the reconciliation"),
        {
            trigger: ".o_list_view .o_group_header:first",
            content: "open the full run's lines",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('jobs')",
            content: "one line per run and source object",
        },
        ...backToProject,
        {
            trigger: ".o_statusbar_buttons button[name=action_open_rollback]",
            content: "roll the migration back",
            run: "click",
        },
        {
            trigger: ".modal .o_fsm_rollback_summary:contains('records removed')",
            content: "the wizard says how many records it removes",
            run() {
                const removed = parseInt(
                    document.querySelector(".modal .o_field_widget[name=to_remove]").textContent);
                if (!(removed > 0)) {
                    throw new Error(`the rollback wizard announces ${removed} records to remove`);
                }
            },
        },
        { trigger: ".modal button[name=action_rollback]", run: "click" },
        {
            trigger: ".modal:contains('deletes the records') .modal-footer .btn-primary",
            content: "confirm, with the numbers in front of you",
            run: "click",
        },
        step("rolled_back"),
    ],
});
