"""The Dispatch emulator's admin side: config, token expiry, records created, changed, deleted."""

from datetime import datetime, timedelta, timezone

from .dispatch_api import SINGULAR, ApiError, _json_object
from .dispatch_data import OBJECTS


class AdminMixin:
    """``/_admin/...``: the knobs a test turns while the emulator runs, the generated truth,
    and the changes (``updated_at`` moved to now) a delta pickup must see."""

    def _admin(self, method, parts, body):
        if parts == ["config"]:
            if method == "POST":
                self._configure(_json_object(body))
            return 200, {}, self._config()
        if parts == ["tokens", "expire"] and method == "POST":
            with self._lock:
                self._tokens = dict.fromkeys(self._tokens, 0)
            return 200, {}, {"expired": len(self._tokens)}
        if parts == ["truth"] and method == "GET":
            return 200, {}, self.data.truth()
        if parts == ["variations"] and method == "GET":
            return 200, {}, self.data.variation_report.to_dict()
        if not parts or parts[0] not in OBJECTS:
            raise ApiError(404, {"errors": "Not found"})
        obj = parts[0]
        values = _json_object(body) if method in ("POST", "PATCH") else {}
        if method == "POST" and len(parts) == 1:
            return 201, {}, {SINGULAR[obj]: self.create(obj, values)}
        if len(parts) == 2 and method == "PATCH":
            return 200, {}, {SINGULAR[obj]: self.update(obj, self._parse_id(parts[1]), values)}
        if len(parts) == 2 and method == "DELETE":
            self.delete(obj, self._parse_id(parts[1]))
            return 204, {}, b""
        raise ApiError(405, {"errors": "POST /_admin/<obj>, PATCH or DELETE /_admin/<obj>/<id>"})

    def _config(self):
        return {"token_ttl": self.token_ttl, "honour_updated_filter": self.honour_updated_filter,
                "max_limit": self.max_limit, "forbidden": sorted(self.forbidden),
                "unpaged_subresources": self.unpaged_subresources,
                "unreadable": dict(self.unreadable)}

    def _configure(self, values):
        with self._lock:
            if "token_ttl" in values:
                self.token_ttl = float(values["token_ttl"])
            if "honour_updated_filter" in values:
                self.honour_updated_filter = bool(values["honour_updated_filter"])
            if "max_limit" in values:
                self.max_limit = int(values["max_limit"])
            if "forbidden" in values:
                self.forbidden = set(values["forbidden"])
            if "unreadable" in values:
                self.unreadable = {str(k): int(v) for k, v in values["unreadable"].items()}
            if "unpaged_subresources" in values:
                self.unpaged_subresources = bool(values["unpaged_subresources"])

    def _now_stamp(self):
        """Now, as an API timestamp strictly later than any stamp given before."""
        now = max(datetime.now(timezone.utc), self._last_stamp + timedelta(milliseconds=1))
        self._last_stamp = now
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"

    def _touch(self, obj, record_id=None):
        self._version[obj] += 1
        self._ids.pop(obj, None)
        if record_id is not None:
            self._json[obj].pop(record_id, None)

    def create(self, obj, values):
        """Add a record (``id`` assigned when absent); return it."""
        with self._lock:
            records = self._records[obj]
            record_id = values.get("id") or (max(records) + 1 if records else 1)
            if record_id in records:
                raise ApiError(422, {"errors": {"id": ["already taken"]}})
            stamp = self._now_stamp()
            record = {**values, "id": record_id, "created_at": stamp, "updated_at": stamp}
            records[record_id] = record
            self._attributes[obj].update(record)
            self._touch(obj, record_id)
            if obj == "job_contacts":
                self._contacts_by_job.setdefault(record.get("job_id"), []).append(record_id)
                self._sync_job_contacts(record.get("job_id"))
            return record

    def update(self, obj, record_id, values):
        """Change some fields of a record and move its ``updated_at`` to now."""
        with self._lock:
            record = self._records[obj].get(record_id)
            if record is None:
                raise ApiError(404, {"errors": "Not found"})
            record.update({k: v for k, v in values.items() if k != "id"})
            self._attributes[obj].update(record)
            record["updated_at"] = self._now_stamp()
            self._touch(obj, record_id)
            if obj == "job_contacts":
                self._sync_job_contacts(record.get("job_id"))
            return record

    def delete(self, obj, record_id):
        """Remove a record (as the API would stop listing it)."""
        with self._lock:
            record = self._records[obj].pop(record_id, None)
            if record is None:
                raise ApiError(404, {"errors": "Not found"})
            self._touch(obj, record_id)
            if obj == "job_contacts":
                self._contacts_by_job.get(record.get("job_id"), []).remove(record_id)
                self._sync_job_contacts(record.get("job_id"))

    def _sync_job_contacts(self, job_id):
        """Keep a job's embedded ``contacts`` equal to its contacts endpoint."""
        job = self._records["jobs"].get(job_id)
        if job is not None:
            contacts = self._records["job_contacts"]
            job["contacts"] = [contacts[cid] for cid in self._contacts_by_job.get(job_id, ())]
            job["updated_at"] = self._now_stamp()
            self._touch("jobs", job_id)
