"""Odoo users' own contacts are never changed through a migrated record's write-through.

Two of the targets write onto a linked partner through an inverse: a lead's e-mail and
phone onto its customer (crm, both series), an employee's work e-mail (and 19.0's work
phone, 18.0's work mobile) onto its user's partner. Were that partner an Odoo user's, a
migration map (a Migration Manager's, not an administrator's) could set any user's e-mail
— and Odoo's password reset mails the reset link to it. So, before a superuser write:
a lead whose customer is an internal user's contact, and whose e-mail or phone would change
it, is written without that link; an employee of an existing internal user is written
without the work contact values that would change the user's. Each with a warning that
says so. The users this project's schema plan created are the migration's own: theirs are
written as mapped.
"""

#: model → (its link to the partner or user, the fields whose inverse writes through)
WRITE_THROUGH = {
    "crm.lead": ("partner_id", ("email_from", "phone")),
    "hr.employee": ("user_id", ("work_email", "work_phone", "mobile_phone")),
}
#: what each write-through field becomes on the partner
PARTNER_FIELD = {"email_from": "email", "phone": "phone", "work_email": "email",
                 "work_phone": "phone", "mobile_phone": "mobile"}


class UserContactsMixin:
    """Mixed into the engine (``IsolatedWritesMixin`` calls it before creates and updates)."""

    def _project_users(self):
        """The users this project's schema plan created (its journal's config entries)."""
        if getattr(self, "_own_users", None) is None:
            self.env.cr.execute("""
                SELECT res_id FROM fsm_migration_journal
                 WHERE project_id = %s AND operation = 'config' AND model = 'res.users'""",
                                (self.project.id,))
            self._own_users = {row[0] for row in self.env.cr.fetchall()}
        return self._own_users

    def _spare_user_contacts(self, model, entries, issues, batch):
        """``entries`` (item, values, ...) as they may be written: the values that would
        change an internal user's own contact taken out, with a warning each."""
        spec = WRITE_THROUGH.get(model._name)
        if not spec or not entries:
            return entries
        link, through = spec
        through = [name for name in through
                   if name in model._fields and model._fields[name].inverse]
        linked = {values.get(link) for _item, values, *_rest in entries} - {None, False}
        if not through or not linked:
            return entries
        users = self.env["res.users"].sudo().with_context(active_test=False)
        if link == "user_id":
            guarded = users.browse(sorted(linked)).exists().filtered(
                lambda u: not u.share and u.id not in self._project_users())
            partner_of = {user.id: user.partner_id for user in guarded}
        else:
            owners = users.search([("partner_id", "in", sorted(linked)), ("share", "=", False)])
            partner_of = {user.partner_id.id: user.partner_id for user in owners
                          if user.id not in self._project_users()}
        if not partner_of:
            return entries
        for item, values, *_rest in entries:
            partner = partner_of.get(values.get(link))
            if not partner:
                continue
            changed = [name for name in through if values.get(name) not in (None, False)
                       and values[name] != partner[PARTNER_FIELD[name]]]
            if not changed:
                continue
            who = f"{partner.display_name!r} (an Odoo user's own contact)"
            if link == "partner_id":
                values[link] = None
                self._issue(issues, batch, item, "warning", f"not linked to {who}: its "
                            f"{', '.join(changed)} would overwrite the user's; the lead keeps "
                            "its own", target_field=link)
            else:
                for name in changed:
                    values.pop(name)
                self._issue(issues, batch, item, "warning", f"{', '.join(changed)} not written: "
                            f"an employee's work contact is its user's, {who}, which a "
                            "migration does not change", target_field=changed[0])
        return entries
