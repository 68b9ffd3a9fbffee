"""Every field a form of this module shows has a help text (the "?" tooltip)."""

from lxml import etree

from odoo.tests import tagged

from .common import TransactionCase

#: self-explaining or Odoo's own: the record's name, its company, its free notes
EXEMPT = {"name", "company_id", "notes", "active"}


@tagged("post_install", "-at_install", "fsm_migration")
class TestFormsHaveHelp(TransactionCase):
    def test_every_form_field_has_help(self):
        views = self.env["ir.ui.view"].search([("type", "=", "form")]).filtered(
            lambda v: v.xml_id.startswith("field_service_migration."))
        self.assertGreater(len(views), 5)
        missing = []
        for view in views:
            model = self.env[view.model]
            arch = etree.fromstring(view.arch_db.encode())
            for node in arch.iter("field"):
                # fields of an embedded list belong to the line model, not this one
                if any(a.tag in ("list", "kanban", "form") for a in node.iterancestors()
                       if a is not arch):
                    continue
                name = node.get("name")
                if name in EXEMPT or node.get("invisible") in ("1", "True"):
                    continue
                if not model._fields[name].help:
                    missing.append(f"{view.xml_id}: {view.model}.{name}")
        self.assertFalse(missing, "form fields without a help text:\n" + "\n".join(missing))
