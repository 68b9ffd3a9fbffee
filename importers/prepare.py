"""Values written beyond the mapped ones: files secured, inline images stored, links."""

from ..services.transforms import extract_inline_images, replace_image_refs
from .attachment_policy import secure_attachment_values, stored_mimetype


class PrepareMixin:
    """What a record's values need before they are written: what Odoo itself would add or
    change (a file's MIME type, a lead's team) and what the HTML must not carry inline."""

    def secure_values(self, model_name, values):
        """What is written of a file, whatever the source declared (the diff expects the
        same): its MIME type sniffed, active content stored download-only."""
        return secure_attachment_values(model_name, values, self.allow_active)

    def _extract_images(self, model, fields_of, values):
        """Inline base64 images of HTML values become attachments (of the record the
        message is about), referenced by URL: the HTML stays light and the files are in the
        filestore, stored once per content."""
        for name, value in list(values.items()):
            field = fields_of.get(name)
            if not (field and field.ttype == "html" and isinstance(value, str)
                    and "data:" in value.lower()):
                continue
            html, images = extract_inline_images(value)
            if not images:
                continue
            res_model = values.get("model") or model._name
            res_id = values.get("res_id") if values.get("model") else 0
            attachments = self.env["ir.attachment"].create([{
                "name": image.name, "raw": image.data,
                "mimetype": stored_mimetype(image.data, image.mimetype, self.allow_active),
                "res_model": res_model, "res_id": res_id or 0} for image in images])
            self.resolver.created.extend(attachments)  # journaled: rollback removes them
            values[name] = replace_image_refs(html, {
                image.sha1: f"/web/image/{attachment.id}"
                for image, attachment in zip(images, attachments, strict=True)})
            if model._name == "mail.message":
                values["attachment_ids"] = [(4, attachment.id) for attachment in attachments]

    def _link_event_to_activity(self, model, item, values):
        """An appointment's calendar event is linked to the activity made from the same
        appointment, as Odoo links a meeting to its activity. Without it, crm posts a
        "meeting logged" message on the opportunity for every event created."""
        if model._name != "calendar.event" or "activity_ids" in values:
            return
        activity = self.resolver.bound(item.source_object, item.source_id, "activity",
                                       "mail.activity")
        if activity:
            values["activity_ids"] = [(6, 0, [activity])]
            # 19.0 re-sets the event's start when it syncs the linked activity, and stop
            # is then recomputed from a duration not computed yet (1 hour): the duration
            # given keeps the stop the source gave
            start, stop = (model._fields[name].convert_to_cache(values.get(name), model)
                           for name in ("start", "stop"))
            if start and stop and "duration" not in values:
                values["duration"] = (stop - start).total_seconds() / 3600

    def _lead_teams(self, pairs):
        """The sales team of each new lead, as crm computes it (``_compute_team_id``: the
        default team of the salesperson for leads or opportunities), asked once per
        salesperson and type instead of once per lead (a quarter of a lead's creation)."""
        for _item, values in pairs:
            user_id = values.get("user_id")
            if not user_id or values.get("team_id"):
                continue
            kind = values.get("type")
            if not kind:  # (the map always sets it; else crm's default applies)
                continue
            key = (user_id, kind)
            if key not in self._teams:
                domain = [("use_leads", "=", True)] if kind == "lead" else [
                    ("use_opportunities", "=", True)]
                self._teams[key] = self.env["crm.team"]._get_default_team_id(
                    user_id=user_id, domain=domain).id
            if self._teams[key]:
                values["team_id"] = self._teams[key]
