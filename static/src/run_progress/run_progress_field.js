/** @odoo-module **/
// Live progress of a migration run: overall and per source object, with the newest
// failed or blocked records; of a rollback: overall and per model, with the newest
// records Odoo refused to revert. While the run is going, the record is reloaded every
// two seconds (no page reload), so every figure of the form follows the workers.

import { Component, onMounted, onWillUnmount } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

export const POLL_MS = 2000;

export class RunProgressField extends Component {
    static template = "field_service_migration.RunProgressField";
    static props = { ...standardFieldProps, stateField: { type: String, optional: true } };

    setup() {
        this.action = useService("action");
        this.polling = false;
        onMounted(() => {
            this.timer = browser.setInterval(() => this.poll(), POLL_MS);
        });
        onWillUnmount(() => browser.clearInterval(this.timer));
    }

    get data() {
        return this.props.record.data[this.props.name] || {};
    }

    get running() {
        const state = this.props.record.data[this.props.stateField || "state"];
        return state === "running";
    }

    async poll() {
        const record = this.props.record;
        if (!this.running || this.polling || record.dirty || record.isNew) {
            return;
        }
        this.polling = true;
        try {
            await record.load();
        } finally {
            this.polling = false;
        }
    }

    formatEta(seconds) {
        if (!seconds) {
            return "—";
        }
        const minutes = Math.floor(seconds / 60);
        return minutes ? _t("%(m)s min %(s)s s", { m: minutes, s: seconds % 60 }) :
            _t("%s s", seconds);
    }

    barClass(obj) {
        if (obj.errors || obj.failed || obj.refused) {
            return "bg-danger";
        }
        if (obj.blocked || obj.kept) {
            return "bg-warning";
        }
        return obj.percent >= 100 ? "bg-success" : "bg-primary";
    }

    openIssue(issue) {
        // a rollback's error opens the record Odoo refused to revert
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: issue.res_model || "fsm.migration.issue",
            res_id: issue.res_id || issue.id,
            views: [[false, "form"]],
            target: "current",
        });
    }
}

export const runProgressField = {
    component: RunProgressField,
    supportedTypes: ["json"],
    extractProps: ({ options }) => ({ stateField: options.state_field }),
};

registry.category("fields").add("fsm_run_progress", runProgressField);
