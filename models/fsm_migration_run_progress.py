"""A run's progress: records staged and done, rate, ETA, counters, the live widget's data."""

from odoo import api, fields, models

from .fsm_migration_batch import COUNTERS


class FsmMigrationRunProgress(models.Model):
    """Progress of a run, summed from its batches (a rollback's from the undo entries it
    appended to the journal, see ``fsm_migration_run_rollback``)."""

    _inherit = "fsm.migration.run"

    total = fields.Integer(compute="_compute_progress",
                           help="Source records staged.")
    done = fields.Integer(compute="_compute_progress",
                          help="Source records in written batches.")
    progress = fields.Float(compute="_compute_progress", help="Done, in percent.")
    rate = fields.Float(compute="_compute_progress", help="Records per second so far.")
    eta_seconds = fields.Integer(compute="_compute_progress", string="ETA (s)",
                                 help="Seconds left at the current rate.")
    created = fields.Integer(compute="_compute_progress",
                             help="Odoo records created.")
    updated = fields.Integer(compute="_compute_progress",
                             help="Odoo records updated.")
    skipped = fields.Integer(compute="_compute_progress",
                             help="Records unchanged since they were written.")
    failed = fields.Integer(compute="_compute_progress",
                            help="Records Odoo refused, or whose values do not fit.")
    blocked = fields.Integer(compute="_compute_progress",
                             help="Records whose parent is missing.")
    progress_data = fields.Json(
        compute="_compute_progress_data", string="Live progress",
        help="Overall and per source object: records done and remaining, records per "
             "second, time left, and the latest failed or blocked records. The run form "
             "refreshes it every two seconds while the run is going.")

    @api.depends("batch_ids.state", "rollback_cursor", "state")
    def _compute_progress(self):
        for run in self:
            if run.kind == "rollback":
                run.update(run._rollback_figures())
                continue
            rows = run.batch_ids.read(["state", "record_count", "duration", *COUNTERS])
            done_rows = [r for r in rows if r["state"] != "pending"]
            total = sum(r["record_count"] for r in rows)
            done = sum(r["record_count"] for r in done_rows)
            seconds = sum(r["duration"] for r in done_rows)
            rate = done / seconds if seconds else 0.0
            run.update({
                "total": total, "done": done,
                "progress": 100.0 * done / total if total else 0.0,
                "rate": rate, "eta_seconds": int((total - done) / rate) if rate else 0,
                **{k: sum(r[k] for r in done_rows) for k in COUNTERS},
                "reverted": 0, "kept": 0, "refused": 0,
            })

    @api.depends("batch_ids.state", "issue_ids", "rollback_cursor", "state")
    def _compute_progress_data(self):
        for run in self:
            run.progress_data = run._progress_data()

    def _progress_data(self, errors=5):
        """Plain data for the live progress widget: overall, per object (dependency
        order), and the newest failed or blocked records. A rollback gives the same shape:
        per model (in the order it reverts), and the newest entries Odoo refused."""
        self.ensure_one()
        if self.kind == "rollback":
            return self._rollback_progress_data(errors)
        objects, written, verified, pending = {}, 0, 0, 0
        for row in self.batch_ids.read(["source_object", "level", "state", "record_count",
                                        "duration", "failed", "blocked", "verified"]):
            pending += row["state"] == "pending"
            written += row["state"] == "done"
            verified += row["state"] == "done" and bool(row["verified"])
            obj = objects.setdefault(row["source_object"], {
                "name": row["source_object"], "level": row["level"], "total": 0, "done": 0,
                "failed": 0, "blocked": 0, "seconds": 0.0, "errors": 0})
            obj["total"] += row["record_count"]
            if row["state"] != "pending":
                obj["done"] += row["record_count"]
                obj["failed"] += row["failed"]
                obj["blocked"] += row["blocked"]
                obj["seconds"] += row["duration"]
            obj["errors"] += row["state"] == "error"
        for obj in objects.values():
            obj["percent"] = round(100.0 * obj["done"] / obj["total"], 1) if obj["total"] else 0
            obj["rate"] = round(obj["done"] / obj["seconds"], 1) if obj["seconds"] else 0
        issues = self.env["fsm.migration.issue"].search_read(
            [("run_id", "=", self.id), ("status", "in", ("failed", "blocked"))],
            ["status", "source_object", "source_id", "source_field", "reason"],
            limit=errors, order="id desc")
        return {
            "kind": self.kind,
            "state": self.state, "total": self.total, "done": self.done,
            "remaining": self.total - self.done, "percent": round(self.progress, 1),
            "rate": round(self.rate, 1), "eta_seconds": self.eta_seconds,
            "failed": self.failed, "blocked": self.blocked,
            "objects": sorted(objects.values(), key=lambda o: (o["level"], o["name"])),
            "errors": issues,
            # once every batch is written, the workers read them back (see _run_one_batch)
            "phase": "writing" if pending else (
                "verifying" if self.state == "running" and verified < written else "done"),
            "verify": {"done": verified, "total": written},
        }
