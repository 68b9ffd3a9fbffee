"""The source layout step: the built-in bundle layout is confirmed by itself; an export
in another shape waits at the Layout step, is confirmed, then mapped and migrated; an
ambiguous link is blocked naming both candidates; layouts export and import as JSON;
the rights on layouts; bundles are read from the import folders only."""

import json
import os
from collections import Counter

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..importers.resolver import LINK_PROBLEM, RefResolver, Unresolved
from ..services.layout.model import (
    AttachmentLayout,
    ColumnLayout,
    Conventions,
    SourceLayout,
    TableLayout,
)
from ..services.record_mapper import Ref
from .common import (
    TransactionCase,
    allow_import_folder,
    per_object,
    run_python,
    temp_bundle,
    temp_folder,
)

MANAGER = "field_service_migration.group_migration_manager"
USER = "field_service_migration.group_migration_user"


def foreign_shape(folder, name, scale, seed):
    """A fixed foreign-shaped export (``emulators.fst_shapes``) and its truth."""
    out, truth = folder / name, folder / f"{name}.truth.json"
    run_python("-m", "emulators.fst_shapes", "--out", str(out), "--scale", str(scale),
               "--seed", str(seed), "--fixed", name, "--truth", str(truth))
    return out, json.loads(truth.read_text())


def migrate(env, project):
    """What ``fsm-migrate run --confirm-map --no-sample`` does: discover, confirm the
    layout (it must have no problems) and the map as proposed, plan, run."""
    project.action_discover()
    if project.state == "layout":
        layout = project.layout_id
        problems = layout._to_layout().problems()
        if problems:
            raise AssertionError(f"layout v{layout.version} has problems: {problems}")
        layout.action_confirm()
    project.action_propose_map()
    project.map_id.action_confirm()
    env["fsm.migration.plan.apply"].with_context(active_id=project.id).create({}).action_apply()
    run = project._start_run("full", batch_size=200)
    run.run_until_done()
    return run


def expected_blocked(truth):
    """Per object, how many records the shape's truth says must be blocked at most: a link
    whose value names no record or several (``not_found``, ``ambiguous``), or a parent that
    is itself blocked (followed to a fixed point)."""
    links = [(table["object"], col["link_object"], col.get("expected") or {})
             for table in truth["tables"] if table.get("object")
             for col in table["columns"] if col.get("role") == "link"]
    blocked = {obj: set() for obj, _target, _expected in links}
    for _obj, target, _expected in links:
        blocked.setdefault(target, set())
    changed = True
    while changed:
        changed = False
        for obj, target, expected in links:
            for key, value in expected.items():
                if key not in blocked[obj] and value is not None and (
                        value in ("not_found", "ambiguous") or str(value) in blocked[target]):
                    blocked[obj].add(key)
                    changed = True
    return {obj: len(keys) for obj, keys in blocked.items()}


def check_run(case, run):
    """Every object balances, nothing failed, every written field reads back as mapped."""
    case.assertEqual(run.state, "done")
    case.assertFalse(run.batch_ids.filtered(lambda b: b.state == "error"),
                     run.batch_ids.mapped("error"))
    rows = case.env["fsm.migration.reconciliation"].search([("run_id", "=", run.id)])
    case.assertTrue(rows)
    case.assertTrue(all(rows.mapped("balanced")), [
        (r.source_object, r.source, r.created, r.failed, r.blocked) for r in rows])
    failed = run.issue_ids.filtered(lambda i: i.status == "failed")
    case.assertFalse(failed, Counter((i.source_object, i.reason[:120]) for i in failed))
    case.assertEqual((run.verified_different, run.verified_missing), (0, 0),
                     run.diff_ids.filtered(lambda d: d.status in ("different", "missing"))[
                         :5].mapped(lambda d: (d.model, d.field_name, d.expected_value,
                                               d.odoo_value)))
    case.assertGreater(run.verified_equal + run.verified_transformed, 0)


@tagged("post_install", "-at_install", "fsm_migration")
class TestKnownProfile(TransactionCase):
    def test_builtin_bundle_layout_is_confirmed_by_itself(self):
        bundle = temp_bundle(self, 0.1, 3)
        project = self.env["fsm.migration.project"].create({
            "name": "Known", "source_kind": "fst_bundle", "bundle_path": str(bundle)})
        project.action_discover()
        layout = project.confirmed_layout_id
        self.assertEqual((layout.profile, layout.state), ("fst_bundle", "confirmed"))
        self.assertEqual(project.state, "plan")
        self.assertTrue(project.object_ids)
        self.assertTrue(any("confirmed automatically" in m.body for m in project.message_ids))
        # discovering again proposes the same layout: the confirmed version is kept
        project.action_discover()
        self.assertEqual(project.layout_ids, layout)
        project.action_propose_map()
        self.assertEqual(project.map_id.layout_id, layout)


@tagged("post_install", "-at_install", "fsm_migration")
class TestForeignShapeLayoutStep(TransactionCase):
    def test_foreign_shape_waits_at_the_layout_step(self):
        path, _truth = foreign_shape(temp_folder(self, "fsm_shapes_"), "excel_office", 0.1, 4)
        project = self.env["fsm.migration.project"].create({
            "name": "Shape", "source_kind": "fst_bundle", "bundle_path": str(path),
            "fallback_user_id": self.env.ref("base.user_admin").id, "skip_sample": True})
        project.action_discover()
        self.assertEqual(project.state, "layout")
        layout = project.layout_id
        self.assertEqual(layout.state, "draft")
        self.assertFalse(project.confirmed_layout_id)
        self.assertFalse(project.object_ids, "no dictionary before the layout is confirmed")
        # every file and sheet is listed with what was made of it
        self.assertTrue(layout.table_ids)
        self.assertTrue(all(t.status for t in layout.table_ids))
        self.assertIn("source layout", project.next_step)
        with self.assertRaisesRegex(UserError, "Confirm the source layout first"):
            project.action_propose_map()
        # the lines are edited on the draft; lowest confidence first
        tables = self.env["fsm.migration.layout.table"].search([("layout_id", "=", layout.id)])
        self.assertEqual(tables.mapped("confidence"), sorted(tables.mapped("confidence")))
        used = layout.table_ids.filtered("object")
        self.assertTrue(used.filtered("sample_html"), "sample rows are shown")
        layout.action_confirm()
        self.assertEqual(project.confirmed_layout_id, layout)
        self.assertEqual(project.state, "plan")
        self.assertTrue(project.object_ids)
        # discovering again proposes the same: the confirmed version is kept
        project.action_discover()
        self.assertEqual(project.layout_ids, layout)
        # a confirmed version is frozen: a change is a new version
        with self.assertRaisesRegex(UserError, "frozen"):
            used[:1].object = False
        new = self.env["fsm.migration.layout"].browse(layout.action_new_version()["res_id"])
        self.assertEqual((new.state, new.version), ("draft", layout.version + 1))
        new.table_ids.filtered("object")[:1].reason = "checked"
        project.action_propose_map()
        project.map_id.action_confirm()
        # another layout confirmed after the map: the map is proposed again first
        new.action_confirm()
        with self.assertRaisesRegex(UserError, "propose the map again"):
            project._start_run("full")
        with self.assertRaisesRegex(UserError, "propose the map again"):
            project.map_id.action_new_version()
            project.map_id.action_confirm()


class ForeignShapeCase(TransactionCase):
    """A fixed foreign shape migrated as ``fsm-migrate run --confirm-map`` does (one
    schema plan per class: Odoo keeps its registry across a test's rollback)."""

    shape = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _path, cls.truth = foreign_shape(temp_folder(cls, "fsm_shapes_"), cls.shape, 0.1, 4)
        cls.project = cls.env["fsm.migration.project"].create({
            "name": f"Shape {cls.shape}", "source_kind": "fst_bundle",
            "bundle_path": str(_path), "fallback_user_id": cls.env.ref("base.user_admin").id,
            "skip_sample": True})
        cls.shape_run = migrate(cls.env, cls.project)

    def _check(self):
        check_run(self, self.shape_run)
        stats = per_object(self.shape_run)
        held = {t["object"] for t in self.truth["tables"] if t.get("object")}
        for obj in ("customers", "work_orders"):
            self.assertIn(obj, held)
            self.assertGreater(stats[obj]["created"], 0, f"{self.shape}: {obj} {stats[obj]}")
        # what was not staged on its own is skipped by the map (an app not installed) or
        # read into its parent's fields (line items summed up on the lead)
        # blocked only by what the truth says cannot be linked (never by a wrong layout)
        at_most = expected_blocked(self.truth)
        for obj, row in stats.items():
            reasons = Counter(i.reason[:100] for i in self.shape_run.issue_ids.filtered(
                lambda i, o=obj: i.source_object == o and i.status == "blocked"))
            self.assertLessEqual(row["blocked"], at_most.get(obj, 0),
                                 f"{self.shape}: {obj} {row}; {reasons.most_common(3)}")
        fsm_map = self.project.confirmed_map_id
        for obj in held - set(stats) - {"attachments", "custom_fields"}:
            own = fsm_map.object_line_ids.filtered(lambda o, obj=obj: o.source_object == obj)
            read = fsm_map.field_line_ids.filtered(
                lambda f, obj=obj: obj in (f.source_field or "") or f.source_object == obj)
            self.assertTrue((own and all(own.mapped("skip"))) or read,
                            f"{self.shape}: {obj} never staged, nor skipped or read by the map")
        return stats


@tagged("post_install", "-at_install", "fsm_migration")
class TestShapeExcelOffice(ForeignShapeCase):
    shape = "excel_office"

    def test_migrates_with_confirm_map_only(self):
        self._check()


@tagged("post_install", "-at_install", "fsm_migration")
class TestShapeLegacyCp1252(ForeignShapeCase):
    shape = "legacy_cp1252"

    def test_migrates_with_confirm_map_only(self):
        self._check()


@tagged("post_install", "-at_install", "fsm_migration")
class TestShapePhotosByFolder(ForeignShapeCase):
    shape = "photos_by_folder"

    def test_migrates_with_confirm_map_only(self):
        self._check()
        attachments = self.env["fsm.migration.binding"].search_count([
            ("project_id", "=", self.project.id), ("model", "=", "ir.attachment")])
        self.assertGreater(attachments, 0, "the photos of the per-order folders migrate")


def _write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _col(name, role, field=None, link_object=None, link_key=None):
    return ColumnLayout(name, role, field, link_object, link_key, None, 1.0, "by hand")


def hand_layout():
    """The layout of the two files :func:`small_export` writes, as a consultant makes it:
    jobs name their customer by its name."""
    customers = TableLayout("Customer List.csv", None, "customers", [
        _col("Customer #", "key", "customer_id"), _col("Company", "field", "name"),
        _col("E-mail", "field", "email"), _col("Changed", "updated", "updated_at")],
        Conventions(), 1.0, "by hand")
    jobs = TableLayout("Jobs.csv", None, "work_orders", [
        _col("Job #", "key", "work_order_id"), _col("Job No", "field", "number"),
        _col("Customer", "link", "customer_id", "customers", "name"),
        _col("State", "field", "status"), _col("Changed", "updated", "updated_at")],
        Conventions(), 1.0, "by hand")
    return SourceLayout("custom", [customers, jobs], AttachmentLayout())


def small_export(folder):
    """Two customers named alike, one not; a job for each name."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "Customer List.csv", ["Customer #", "Company", "E-mail", "Changed"], [
        ["C1", "Acme Plumbing", "one@acme.example", "2024-01-02 10:00:00"],
        ["C2", "Acme Plumbing", "two@acme.example", "2024-01-02 10:00:00"],
        ["C3", "Bolt Electric", "bolt@bolt.example", "2024-01-02 10:00:00"]])
    _write_csv(folder / "Jobs.csv", ["Job #", "Job No", "Customer", "State", "Changed"], [
        ["J1", "1001", "Acme Plumbing", "completed", "2024-02-01 09:00:00"],
        ["J2", "1002", "Bolt Electric", "completed", "2024-02-01 09:00:00"]])
    return folder


@tagged("post_install", "-at_install", "fsm_migration")
class TestLayoutByHand(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder = temp_folder(cls, "fsm_hand_")
        cls.export = small_export(cls.folder / "export")
        cls.project = cls.env["fsm.migration.project"].create({
            "name": "By hand", "source_kind": "fst_bundle", "bundle_path": str(cls.export),
            "fallback_user_id": cls.env.ref("base.user_admin").id, "skip_sample": True})

    def test_ambiguous_link_is_blocked_naming_both_candidates(self):
        layout = self.env["fsm.migration.layout"]._import_json(self.project,
                                                               hand_layout().to_json())
        self.assertFalse(layout.problems, layout.problems)
        layout.action_confirm()
        self.project.action_propose_map()
        self.project.map_id.action_confirm()
        self.env["fsm.migration.plan.apply"].with_context(
            active_id=self.project.id).create({}).action_apply()
        run = self.project._start_run("full")
        run.run_until_done()
        issues = run.issue_ids.filtered(lambda i: i.source_object == "work_orders")
        self.assertEqual(issues.mapped("source_id"), ["J1"], issues.mapped("reason"))
        self.assertEqual(issues.status, "blocked")
        self.assertIn("C1", issues.reason)
        self.assertIn("C2", issues.reason)
        leads = self.env["fsm.migration.binding"].search([
            ("project_id", "=", self.project.id), ("source_object", "=", "work_orders"),
            ("model", "=", "crm.lead")])
        self.assertEqual(leads.mapped("source_id"), ["J2"], "never linked to a wrong record")
        bolt = self.env["fsm.migration.binding"].search([
            ("project_id", "=", self.project.id), ("source_object", "=", "customers"),
            ("source_id", "=", "C3")], limit=1)
        self.assertEqual(self.env["crm.lead"].browse(leads.res_id).partner_id.id, bolt.res_id)

    def test_naive_times_read_in_the_consultants_zone_and_editable(self):
        admin = self.env.ref("base.user_admin")
        admin.tz = "America/New_York"
        self.project.user_id = admin
        layout = self.env["fsm.migration.layout"]._create_from_layout(self.project,
                                                                      hand_layout())
        used = layout.table_ids.filtered("object")
        self.assertTrue(used)
        self.assertEqual(set(used.mapped("timezone")), {"America/New_York"})
        used[0].timezone = "Europe/Paris"
        zones = {t.path: t.conventions.timezone for t in layout._to_layout().tables if t.object}
        self.assertEqual(zones[used[0].path], "Europe/Paris")
        self.assertEqual(zones[used[1].path], "America/New_York")

    def test_link_problem_blocks_without_a_query(self):
        resolver = RefResolver(self.env, self.project, {})
        ref = Ref("binding", LINK_PROBLEM + "two customers are named Acme: C1, C2",
                  source_object="customers", role="partner", model="res.partner")
        queries = []
        execute = type(self.env.cr).execute

        def counting(cr, query, *args, **kwargs):
            queries.append(str(query))
            return execute(cr, query, *args, **kwargs)
        self.patch(type(self.env.cr), "execute", counting)
        resolver.prefetch([ref])
        self.assertFalse([q for q in queries if "fsm_migration_binding" in q])
        with self.assertRaisesRegex(Unresolved, "two customers are named Acme: C1, C2"):
            resolver.resolve(ref, None)
        user_ref = Ref("user", LINK_PROBLEM + "no technician named Jo Doe", model="res.users")
        with self.assertRaisesRegex(Unresolved, "no technician named Jo Doe"):
            resolver.resolve(user_ref, None)

    def test_export_import_round_trip_and_bad_json(self):
        first = self.env["fsm.migration.layout"]._import_json(self.project,
                                                              hand_layout().to_json())
        exported = first._to_layout().to_json()
        second = self.env["fsm.migration.layout"]._import_json(self.project, exported)
        self.assertEqual((second.version, second.state), (first.version + 1, "draft"))
        self.assertEqual(second._to_layout().to_dict(), first._to_layout().to_dict())
        self.assertEqual(len(second.column_ids), 9)
        for text in ("not json", "[1, 2]", json.dumps({"format": 99})):
            with self.assertRaisesRegex(UserError, "not a source layout"):
                self.env["fsm.migration.layout"]._import_json(self.project, text)
        # a layout with problems is imported as a draft that says them, and refused
        broken = hand_layout()
        broken.tables[1].columns[0].role = "field"  # Jobs.csv without a key
        draft = self.env["fsm.migration.layout"]._import_json(self.project, broken.to_json())
        self.assertIn("Jobs.csv: choose the column that is the record key", draft.problems)
        with self.assertRaisesRegex(UserError, "record key"):
            draft.action_confirm()
        self.assertEqual(draft.state, "draft")


@tagged("post_install", "-at_install", "fsm_migration")
class TestLayoutRights(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, "lay_manager", groups=f"base.group_user,{MANAGER}")
        cls.reader = new_test_user(cls.env, "lay_reader", groups=f"base.group_user,{USER}")
        cls.other_company = cls.env["res.company"].create({"name": "Other company"})
        cls.other_manager = new_test_user(
            cls.env, "lay_other", groups=f"base.group_user,{MANAGER}",
            company_id=cls.other_company.id, company_ids=[(6, 0, [cls.other_company.id])])
        folder = temp_folder(cls, "fsm_layrights_")
        export = small_export(folder / "export")
        cls.project = cls.env["fsm.migration.project"].with_user(cls.manager).create({
            "name": "Rights", "source_kind": "fst_bundle", "bundle_path": str(export)})
        cls.layout = cls.env["fsm.migration.layout"].with_user(cls.manager)._import_json(
            cls.project, hand_layout().to_json())

    def test_reader_reads_and_cannot_edit_or_confirm(self):
        layout = self.layout.with_user(self.reader)
        self.assertTrue(layout.table_ids.column_ids.mapped("role"))
        with self.assertRaises(AccessError):
            layout.table_ids[:1].object = False
        with self.assertRaises(AccessError):
            layout.action_confirm()
        self.assertEqual(self.layout.state, "draft")

    def test_manager_edits_drafts_not_the_guarded_fields(self):
        layout = self.layout.with_user(self.manager)
        column = layout.column_ids.filtered(lambda c: c.name == "E-mail")
        column.role = "ignore"
        self.assertEqual(column.role, "ignore")
        for vals in ({"state": "confirmed"}, {"confirmed_by": self.manager.id},
                     {"layout_json": "{}"}):
            with self.assertRaisesRegex(AccessError, "only through their own buttons"):
                layout.write(vals)
        with self.assertRaisesRegex(AccessError, "only through their own buttons"):
            self.env["fsm.migration.layout"].with_user(self.manager).create({
                "project_id": self.project.id, "version": 50, "state": "confirmed"})

    def test_manager_of_another_company_cannot_see_or_confirm(self):
        layout = self.layout.with_user(self.other_manager)
        with self.assertRaises(AccessError):
            layout.action_confirm()
        with self.assertRaises(AccessError):
            layout.table_ids.read(["object"])
        self.assertEqual(self.layout.state, "draft")


@tagged("post_install", "-at_install", "fsm_migration")
class TestImportFolders(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(cls.env, "imp_manager", groups=f"base.group_user,{MANAGER}")
        cls.folder = temp_folder(cls, "fsm_imports_")
        small_export(cls.folder / "export")
        (cls.folder / "escape").symlink_to("/etc")

    def _discover(self, path):
        project = self.env["fsm.migration.project"].with_user(self.manager).create({
            "name": "Path", "source_kind": "fst_bundle", "bundle_path": path})
        return project, project.action_discover

    def test_outside_and_escaping_paths_are_refused(self):
        for path in ("/etc", str(self.folder / "escape"), str(self.folder / ".." )):
            project, discover = self._discover(path)
            with self.assertRaisesRegex(UserError, "field_service_migration.import_folders"):
                discover()
            self.assertFalse(project.layout_ids)
            with self.assertRaisesRegex(UserError, "outside the import folders"):
                project._make_source()

    def test_inside_is_read_and_the_cli_flag_is_superuser_only(self):
        project, discover = self._discover(str(self.folder / "export"))
        discover()
        self.assertTrue(project.layout_id.table_ids)
        # the command line's flag is a context key honoured in a superuser environment only
        outside, _discover = self._discover("/etc")
        with self.assertRaisesRegex(UserError, "outside the import folders"):
            outside.with_context(fsm_allow_any_path=True)._checked_bundle_path()
        self.assertEqual(outside.sudo().with_context(
            fsm_allow_any_path=True)._checked_bundle_path(), os.path.realpath("/etc"))

    def test_default_folder_is_in_the_data_dir(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "field_service_migration.import_folders", "")
        from odoo.tools import config

        self.assertEqual(self.env["fsm.migration.project"]._import_folders(),
                         [os.path.realpath(os.path.join(config["data_dir"], "fsm_imports"))])
        allow_import_folder(self.env, str(self.folder))
        self.assertIn(os.path.realpath(self.folder),
                      self.env["fsm.migration.project"]._import_folders())
