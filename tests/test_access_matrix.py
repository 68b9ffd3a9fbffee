"""The access matrix: every public method of every ``fsm.migration.*`` model and wizard,
called by a plain internal user, a Migration User and a Migration Manager (who is not an
administrator), on a real project that went through the whole pipeline.

The policy, asserted cell by cell:
- a plain user may call nothing (access refused);
- a Migration User may only open and read: ``action_open_*`` and the read-only
  ``READER_MAY`` below; everything that changes something is refused;
- a Migration Manager may call everything (a step whose precondition is not met answers
  with a UserError, which is not a refusal of rights).
Each call runs in a savepoint that is rolled back: the cells do not affect each other.
"""

import inspect

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import TransactionCase, planned_project, temp_bundle

MANAGER = "field_service_migration.group_migration_manager"
USER = "field_service_migration.group_migration_user"
MODULE = "odoo.addons.field_service_migration"
#: ORM methods this module overrides (guarded, tested by test_security), not actions
ORM = {"create", "write", "unlink", "copy", "init", "default_get", "read", "search"}
#: what a Migration User may call besides the ``action_open_*`` ones: reading only
READER_MAY = {
    ("fsm.migration.map", "to_json"),
    ("fsm.migration.reconciliation", "action_open_failed"),
}


class _Undo(Exception):
    pass


@tagged("post_install", "-at_install", "fsm_migration")
class TestAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "plain": new_test_user(cls.env, "matrix_plain", groups="base.group_user"),
            "reader": new_test_user(cls.env, "matrix_reader",
                                    groups=f"base.group_user,{USER}"),
            "manager": new_test_user(cls.env, "matrix_manager",
                                     groups=f"base.group_user,{MANAGER}"),
        }
        bundle = temp_bundle(cls, 0.2, 41)
        project = planned_project(cls.env, name="Matrix", source_kind="fst_bundle",
                                  bundle_path=str(bundle), skip_sample=False, sample_size=40)
        project.action_run_sample()
        project.action_approve_sample()
        project._start_run("full", batch_size=100).run_until_done()
        cls.project = project
        run = project.run_ids.filtered(lambda r: r.kind == "full")
        if not run.issue_ids:
            cls.env["fsm.migration.issue"].create({
                "run_id": run.id, "source_object": "customers", "source_id": "1",
                "status": "failed", "reason": "a test issue"})
        cls.records = {
            "fsm.migration.project": project,
            "fsm.migration.object": project.object_ids[:1],
            "fsm.migration.field": project.object_ids.field_ids[:1],
            "fsm.migration.journal": project.journal_ids[:1],
            "fsm.migration.layout": project.layout_id,
            "fsm.migration.layout.table": project.layout_id.table_ids[:1],
            "fsm.migration.layout.column": project.layout_id.column_ids[:1],
            "fsm.migration.map": project.map_id,
            "fsm.migration.map.object": project.map_id.object_line_ids[:1],
            "fsm.migration.map.field": project.map_id.field_line_ids[:1],
            "fsm.migration.map.value": project.map_id.value_line_ids[:1],
            "fsm.migration.map.user": project.map_id.user_line_ids[:1],
            "fsm.migration.binding": cls.env["fsm.migration.binding"].search(
                [("project_id", "=", project.id)], limit=1),
            "fsm.migration.batch": run.batch_ids[:1],
            "fsm.migration.run": run,
            "fsm.migration.issue": run.issue_ids[:1],
            "fsm.migration.diff": project.sample_run_id.diff_ids[:1],
            "fsm.migration.reconciliation": cls.env["fsm.migration.reconciliation"].search(
                [("project_id", "=", project.id)], limit=1),
            "fsm.migration.throughput": cls.env["fsm.migration.throughput"].search([], limit=1),
        }
        #: wizards: created by the caller itself (a wizard is its creator's only)
        cls.wizards = {"fsm.migration.plan.apply": {}, "fsm.migration.rollback": {},
                       "fsm.migration.map.import": {}, "fsm.migration.layout.import": {}}

    @staticmethod
    def _public_methods(model):
        names = set()
        for cls in type(model).__mro__:
            if not cls.__module__.startswith(MODULE):
                continue
            for name, member in vars(cls).items():
                if (inspect.isfunction(member) and not name.startswith("_")
                        and name not in ORM):
                    names.add(name)
        return sorted(names)

    def _call(self, record, model, name):
        """``allowed``, or ``denied`` when the rights refused it."""
        try:
            with self.env.cr.savepoint():
                getattr(record, name)()
                self.env.flush_all()
                raise _Undo()
        except _Undo:
            return "allowed"
        except AccessError:
            return "denied"
        except (UserError, ValidationError):
            return "allowed"  # a step's precondition, not a refusal of rights
        except Exception as exc:  # (listed with the others, then failed)
            return f"crashed: {type(exc).__name__}: {exc}"[:300]
        finally:
            self.env.invalidate_all()

    def _wizard(self, model, user):
        try:
            with self.env.cr.savepoint():
                wizard = self.env[model].with_user(user).with_context(
                    active_id=self.project.id).create(self.wizards[model])
                wizard.flush_recordset()
        except AccessError:
            return None
        return wizard

    @staticmethod
    def _expected(model, name, role):
        if role == "plain":
            return "denied"
        if role == "reader":
            reads = name.startswith("action_open") or (model, name) in READER_MAY
            return "allowed" if reads else "denied"
        return "allowed"

    def test_matrix(self):
        cells, wrong = 0, []
        for model in sorted([*self.records, *self.wizards]):
            methods = self._public_methods(self.env[model])
            for role, user in self.users.items():
                if model in self.wizards:
                    record = self._wizard(model, user)
                    if record is None:  # the wizard itself is refused
                        for name in methods:
                            cells += 1
                            if self._expected(model, name, role) != "denied":
                                wrong.append((model, name, role, "denied (create)"))
                        continue
                else:
                    record = self.records[model].with_user(user)
                    self.assertTrue(self.records[model], f"no {model} record to call")
                for name in methods:
                    cells += 1
                    got = self._call(record, model, name)
                    if got != self._expected(model, name, role):
                        wrong.append((model, name, role, got))
        self.assertGreater(cells, 100)
        self.assertFalse(wrong, "\n".join(f"{m}.{n} as {r}: {g}" for m, n, r, g in wrong))
