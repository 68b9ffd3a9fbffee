"""A batch's bookkeeping: each source record's outcome, its issues and warnings, the journal."""

import json

from ..services import rights

#: a source record's outcome when its roles disagree: the worst wins
SEVERITY = {"failed": 4, "blocked": 3, "created": 2, "updated": 1, "skipped": 0}


class OutcomesMixin:
    """Outcomes counted once per source record (the worst wins), issues once per reason,
    and what was written journaled (masked, JSON) for rollback and the diff."""

    def _mark(self, outcomes, item, status):
        """Count ``status`` for the source record(s) behind ``item``; a derived record (a
        job's site) counts for the record it came from only through that record's roles."""
        for raw_id in item.item_ids or [item.source_id]:
            source_id = str(raw_id)
            if source_id not in self._batch_ids:
                continue
            previous = outcomes.get(source_id)
            if previous is None or SEVERITY[status] > SEVERITY[previous]:
                outcomes[source_id] = status

    def _issue(self, issues, batch, item, status, reason, source_field=None,
               target_field=None, value=None):
        """One issue per source record behind ``item`` (an aggregate has several); the same
        reason for the same record (an appointment's activity and event) once."""
        for source_id in item.item_ids or [item.source_id]:
            key = (item.source_object, str(source_id), status, reason)
            if key in self._issue_keys:
                continue
            self._issue_keys.add(key)
            issues.append({
                "run_id": self.run.id, "batch_id": batch.id if batch else False,
                "source_object": item.source_object, "source_id": str(source_id),
                "role": item.role, "status": status, "source_field": source_field,
                "target_field": target_field, "value": value, "reason": reason})

    def _warn(self, issues, batch, item):
        """The values of a written record that were kept as typed or left empty: one
        *warning* each, with the raw value, the reason and what to do (degrade, don't
        drop: the record and what depends on it are written)."""
        for warning in getattr(item, "warnings", ()):
            self._issue(issues, batch, item, "warning",
                        f"{warning.action}: {warning.reason}", warning.source_field,
                        warning.target_field, warning.value)

    def _fail_with(self, issues, batch, item, outcomes, errors):
        for err in errors:
            self._issue(issues, batch, item, "failed", err.reason, err.source_field,
                        err.target_field, err.value)
        self._mark(outcomes, item, "failed")

    def _journal_config(self):
        """Products, skills … the resolver created for this batch, journaled as config."""
        created, self.resolver.created = self.resolver.created, []
        if created:
            self.env["fsm.migration.journal"]._log([{
                "project_id": self.project.id, "operation": "config", "model": record._name,
                "res_id": record.id, "batch_ref": f"run:{self.run.id}",
                "note": record.display_name} for record in created])

    def _journal(self, entries):
        if entries:
            self.env["fsm.migration.journal"]._log([{
                "project_id": self.project.id, "operation": operation, "model": model_name,
                "res_id": res_id, "source_object": item.source_object,
                "source_id": item.source_id, "batch_ref": f"run:{self.run.id}",
                "old_values": rights.mask_secrets(old),
                "new_values": rights.mask_secrets(_loggable(new)),
            } for item, model_name, res_id, operation, old, new in entries])


class RightsRefusal:
    """A value the rights model refuses, shaped like the mapper's field errors."""

    def __init__(self, item, target_field, reason):
        self.source_field = None
        self.target_field = target_field or None
        self.value = None
        self.reason = f"refused by the migration's rights model: {reason}"

def _loggable(values):
    """Written values as the journal keeps them: JSON (dates as text, file contents as
    their size)."""
    if values is None:
        return None
    return json.loads(json.dumps({
        name: f"{len(value)} bytes" if isinstance(value, (bytes, bytearray)) else value
        for name, value in values.items()}, default=str))
