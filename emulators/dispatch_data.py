"""Seeded, deterministic Dispatch (v3 API) data for the emulator, tests and benchmarks.

``DispatchData(scale, seed)`` builds every record in memory as the API would give it
(plain JSON-able dicts). Scale 1 is about 1,200 records in all, scale 100 about 120,000
(a few seconds). The data is as messy as real accounts: unicode and right-to-left names,
stray whitespace, missing and duplicated e-mails in mixed case, phones in RFC 3966 and
other formats, job statuses in mixed case, appointment times with and without offsets,
markdown and very long descriptions, Connect ``custom_fields`` on some jobs, and jobs whose
``customer_id`` does not exist (orphans).

What a migration must find is in :meth:`DispatchData.truth`. ``variations`` (see
:mod:`emulators.variations`) makes the account differ from the docs as real ones do:
unreadable endpoints, empty objects, absent optional fields (``KEEP`` lists the fields
always sent) and malformed values in the normalised fields (``VALUE_KINDS``); what was
changed is in ``variation_report``. Attachment files are not
stored: :meth:`DispatchData.file` regenerates the bytes of a ``file_token`` on demand.
"""

import hashlib
import random
from datetime import datetime, timedelta, timezone

from . import messy
from .variations import VariationReport, apply_variations

#: objects in dependency order (the order the client lists them in)
OBJECTS = (
    "organizations", "users", "brands", "sources", "customers", "jobs", "job_contacts",
    "appointments", "survey_responses", "attachments",
)
#: first id of each object: ids never collide between objects, which catches mix-ups
ID_BASE = {
    "organizations": 10_000, "brands": 20_000, "sources": 30_000, "users": 100_000,
    "customers": 1_000_000, "jobs": 2_000_000, "job_contacts": 3_000_000,
    "appointments": 4_000_000, "survey_responses": 5_000_000, "attachments": 6_000_000,
}
JOB_STATUSES = ("offered", "unscheduled", "scheduled", "paused", "complete", "canceled",
                "rejected")
APPOINTMENT_STATUSES = ("draft", "scheduled", "enroute", "started", "complete", "canceled")
SERVICE_TYPES = ("HVAC Repair", "AC Maintenance", "Furnace Install", "Plumbing", "Water Heater",
                 "Drain Cleaning", "Electrical", "Inspection", "Warranty Service")
RELATIONSHIPS = ("Owner", "Tenant", "Property Manager", "Spouse", "Site Contact", "")
EQUIPMENT = (("Carrier", "24ACC636A003", "Condenser"), ("Trane", "XR14", "Heat Pump"),
             ("Lennox", "EL296V", "Furnace"), ("Rheem", "XE50M06ST45U1", "Water Heater"),
             ("Goodman", "GSX140361", "Condenser"), ("A.O. Smith", "GCR-50", "Water Heater"))
PRIORITIES = ("Low", "Normal", "High", "Emergency")
STATE_TIMEZONES = {
    "TX": "America/Chicago", "CO": "America/Denver", "AZ": "America/Phoenix",
    "WA": "America/Los_Angeles", "OR": "America/Los_Angeles", "IL": "America/Chicago",
    "OH": "America/New_York", "GA": "America/New_York", "FL": "America/New_York",
    "MA": "America/New_York", "TN": "America/Chicago", "NC": "America/New_York",
    "UT": "America/Denver", "ID": "America/Boise", "NM": "America/Denver",
    "MO": "America/Chicago", "MN": "America/Chicago", "ON": "America/Toronto",
    "QC": "America/Toronto", "BC": "America/Vancouver", "AB": "America/Edmonton",
    "MB": "America/Winnipeg", "NS": "America/Halifax", "SK": "America/Regina",
}
#: history window of the generated data; admin changes happen "now", after it
EPOCH_START = datetime(2019, 1, 1, tzinfo=timezone.utc)
EPOCH_END = datetime(2025, 1, 1, tzinfo=timezone.utc)
ORPHAN_RATE = 0.01
#: fields an account always sends (ids, timestamps, links): never left out by
#: ``Variations.absent_rate``; every other documented field is optional
_ALWAYS = {"id", "created_at", "updated_at", "organization_id"}
KEEP = {obj: _ALWAYS | links for obj, links in {
    "organizations": set(), "users": set(), "brands": set(), "sources": set(),
    "customers": set(), "jobs": {"customer_id", "contacts"}, "job_contacts": {"job_id"},
    "appointments": {"job_id"}, "survey_responses": {"job_id", "appointment_id"},
    "attachments": {"entity_type", "entity_id", "file_token"},
}.items()}
#: the normalised fields of each object (``Variations.malformed_rate``), by kind; the
#: Dispatch API has no country field (US and Canada only)
VALUE_KINDS = {
    "organizations": [("email", "email"), ("phone_number", "phone"),
                      ("address.state", "state")],
    "users": [("email", "email"), ("phone_number", "phone")],
    "brands": [("email", "email"), ("phone_number", "phone")],
    "customers": [("email", "email"), ("phone_numbers[].number", "phone"),
                  ("home_address.state", "state"), ("billing_address.state", "state")],
    "jobs": [("address.state", "state"), ("service_fee", "number"),
             ("equipment_descriptions[].installation_date", "date")],
    "job_contacts": [("contact_methods[method=phone].value", "phone"),
                     ("contact_methods[method=email].value", "email"),
                     ("address.state", "state")],
    "appointments": [("time", "datetime"), ("duration", "number")],
    "survey_responses": [("rating", "number")],
}


def api_time(when):
    """Dispatch's own timestamp format: UTC with milliseconds and ``Z``."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _slug(text):
    """ASCII letters and digits of ``text``, lower case, at most 20 (``org`` if none)."""
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())[:20] or "org"


def _counts(scale):
    """Number of top-level records per object for ``scale`` (children follow jobs)."""
    root = scale ** 0.5
    return {
        "organizations": max(1, round(2 * root)),
        "brands": max(1, round(3 * root)),
        "sources": max(1, round(4 * root)),
        "users": max(4, round(15 * scale)),
        "customers": max(5, round(180 * scale)),
        "jobs": max(8, round(280 * scale)),
    }


class DispatchData:
    """All records of one generated Dispatch account, per object, in id order."""

    def __init__(self, scale=1, seed=0, variations=None):
        self.scale = scale
        self.seed = seed
        self.records = {obj: [] for obj in OBJECTS}
        self._files = {}  # file_token -> (kind, name)
        self._contact_people = {}  # customer id -> set of distinct contact persons seen
        self._locations_used = {}  # customer id -> set of location indexes used by jobs
        self._orphans = []
        self._generate(_counts(scale))
        #: every field each object has as generated (the documented ones), before
        #: ``variations`` empties collections or leaves fields out: what stays filterable
        self.fields = {obj: frozenset().union(*(r.keys() for r in rows))
                       for obj, rows in self.records.items()}
        #: what ``variations`` (an :class:`emulators.variations.Variations`) changed
        self.variations = variations
        self.variation_report = VariationReport()
        if variations is not None and variations.active:
            self.variation_report = apply_variations(self.records, variations, keep=KEEP,
                                                     kinds=VALUE_KINDS)
            if "job_contacts" in variations.empty:
                for job in self.records["jobs"]:
                    job["contacts"] = []

    # -- public -----------------------------------------------------------------------

    def truth(self):
        """What a correct migration must find (ids sorted)."""
        return {
            "counts": {obj: len(records) for obj, records in self.records.items()},
            "customers_with_2plus_contacts": sorted(
                cid for cid, people in self._contact_people.items() if len(people) >= 2),
            "customers_with_2plus_locations": sorted(
                cid for cid, used in self._locations_used.items() if len(used) >= 2),
            "orphan_job_ids": list(self._orphans),
        }

    def file(self, token):
        """``(content_type, filename, bytes)`` of an attachment file, or None."""
        entry = self._files.get(token)
        if entry is None:
            return None
        kind, name = entry
        rng = random.Random(f"{self.seed}:file:{token}")
        if kind == "png":
            return "image/png", name, messy.png_bytes(rng, size=rng.choice((4, 8, 16)))
        if kind == "pdf":
            return "application/pdf", name, messy.pdf_bytes(rng, name)
        lines = rng.randint(5, 4000)
        text = "\n".join(f"{i:05d} {messy.sentence(rng)}" for i in range(lines))
        return "text/plain; charset=utf-8", name, text.encode()

    # -- generation -------------------------------------------------------------------

    def _rng(self, obj):
        return random.Random(f"{self.seed}:{obj}")

    def _stamps(self, rng):
        created = messy.moment(rng, EPOCH_START, EPOCH_END - timedelta(days=1))
        updated = messy.moment(rng, created, EPOCH_END)
        return api_time(created), api_time(updated)

    def _address(self, rng):
        raw = messy.address(rng)
        return {
            "street_1": raw["street"],
            "street_2": raw["street2"],
            "city": raw["city"],
            "state": raw["state"],
            "postal_code": raw["zip"],
            "timezone": STATE_TIMEZONES.get(raw["state"].upper(), "America/New_York"),
        }

    def _generate(self, counts):
        orgs = self._simple("organizations", counts["organizations"], self._organization)
        org_ids = [o["id"] for o in orgs]
        brand_ids = [b["id"] for b in self._simple(
            "brands", counts["brands"], lambda rng, rid: self._brand(rng, rid, org_ids))]
        source_ids = [s["id"] for s in self._simple(
            "sources", counts["sources"], lambda rng, rid: self._source(rng, rid, org_ids))]
        users = self._users(counts["users"], org_ids)
        technician_ids = [u["id"] for u in users if "technician" in u["roles"]]
        customers = self._customers(counts["customers"], org_ids)
        self._jobs(counts["jobs"], customers, brand_ids, source_ids, technician_ids)

    def _simple(self, obj, count, build):
        rng = self._rng(obj)
        records = self.records[obj]
        for index in range(count):
            records.append(build(rng, ID_BASE[obj] + index))
        return records

    def _organization(self, rng, rid):
        created, updated = self._stamps(rng)
        name = messy.company_name(rng)
        return {
            "id": rid, "name": name,
            "email": f"office@{_slug(name)}.example.com",
            "address": self._address(rng), "phone_number": messy.phone(rng),
            "external_ids": [f"ORG-{rid}"], "created_at": created, "updated_at": updated,
        }

    def _brand(self, rng, rid, org_ids):
        created, updated = self._stamps(rng)
        name = messy.company_name(rng)
        return {
            "id": rid, "organization_id": rng.choice(org_ids), "name": name,
            "phone_number": messy.phone(rng), "email": messy.email(rng, "info", name),
            "created_at": created, "updated_at": updated,
        }

    def _source(self, rng, rid, org_ids):
        created, updated = self._stamps(rng)
        name = rng.choice(("Google Ads", "Yelp", "Referral", "Warranty Partner", "Website",
                           "Home Depot", "Angi", "Repeat Customer", "Radio"))
        return {
            "id": rid, "organization_id": rng.choice(org_ids), "name": f"{name} {rid % 100}",
            "title": name, "created_at": created, "updated_at": updated,
        }

    def _users(self, count, org_ids):
        rng = self._rng("users")
        users = self.records["users"]
        for index in range(count):
            rid = ID_BASE["users"] + index
            first, last = messy.person_name(rng)
            roles = ["dispatcher"] if index % 5 == 0 else ["technician"]
            if index % 11 == 0:
                roles = ["dispatcher", "technician"]
            email = messy.email(rng, first, last, missing_rate=0)
            if roles == ["technician"] and rng.random() < 0.15:
                email = None  # field technicians often have no company e-mail
            elif users and rng.random() < 0.06:
                email = messy.mixed_case(rng, (rng.choice(users)["email"] or email).upper())
            created, updated = self._stamps(rng)
            users.append({
                "id": rid, "organization_id": rng.choice(org_ids), "first_name": first,
                "last_name": last, "phone_number": messy.phone(rng), "email": email,
                "roles": roles, "created_at": created, "updated_at": updated,
            })
        return users

    def _customers(self, count, org_ids):
        """Customers, each with a pool of service locations and of contact persons."""
        rng = self._rng("customers")
        customers = self.records["customers"]
        for index in range(count):
            rid = ID_BASE["customers"] + index
            first, last = messy.person_name(rng)
            email = messy.email(rng, first, last)
            if customers and rng.random() < 0.05:  # same person entered twice
                email = messy.mixed_case(rng, customers[rng.randrange(len(customers))]["email"])
            home = self._address(rng) if rng.random() > 0.05 else None
            billing_draw = rng.random()
            billing = dict(home) if home and billing_draw < 0.5 else (
                None if billing_draw < 0.7 else self._address(rng))
            phones = [{"number": messy.phone(rng, missing_rate=0),
                       "primary": position == 0,
                       "type": rng.choice(("mobile", "home", "work", "other"))}
                      for position in range(rng.choice((0, 1, 1, 1, 2, 2, 3)))]
            created, updated = self._stamps(rng)
            customers.append({
                "id": rid, "organization_id": rng.choice(org_ids), "first_name": first,
                "last_name": last,
                "company_name": messy.company_name(rng) if rng.random() < 0.3 else None,
                "notes": messy.notes(rng), "email": email, "phone_numbers": phones,
                "home_address": home, "billing_address": billing,
                "external_ids": self._external_ids(rng, rid),
                "created_at": created, "updated_at": updated,
            })
        return customers

    def _external_ids(self, rng, rid):
        draw = rng.random()
        if draw < 0.5:
            return []
        if draw < 0.8:
            return [f"FST-{rid % 100000}"]
        return [f"FST-{rid % 100000}", f"QB:{rng.randint(1000, 99999)}"]

    def _jobs(self, count, customers, brand_ids, source_ids, technician_ids):
        rng = self._rng("jobs")
        child_rng = self._rng("job_children")
        pools = {}  # customer id -> (locations, contact persons)
        last_customer_id = customers[-1]["id"]
        for index in range(count):
            rid = ID_BASE["jobs"] + index
            customer = customers[rng.randrange(len(customers))]
            cid = customer["id"]
            if cid not in pools:
                pools[cid] = self._customer_pools(rng, customer)
            locations, people = pools[cid]
            location_index = 0 if rng.random() < 0.7 else rng.randrange(len(locations))
            address = self._variant(rng, locations[location_index])
            orphan = rng.random() < ORPHAN_RATE
            if orphan:
                cid = last_customer_id + 1 + rng.randrange(10_000)
                self._orphans.append(rid)
            else:
                self._locations_used.setdefault(cid, set()).add(location_index)
            job = self._job(rng, rid, customer, cid, address, brand_ids, source_ids)
            job["contacts"] = self._job_contacts(child_rng, job, people,
                                                 None if orphan else cid)
            self.records["jobs"].append(job)
            self._job_children(child_rng, job, technician_ids)

    def _customer_pools(self, rng, customer):
        """Service locations (home first) and contact persons one customer's jobs use."""
        home = customer["home_address"] or self._address(rng)
        locations = [home] + [self._address(rng) for _ in range(rng.choice((0, 0, 1, 2)))]
        people = [(customer["first_name"], customer["last_name"], customer["email"])]
        for _ in range(rng.choice((0, 0, 1, 2))):
            first, last = messy.person_name(rng)
            people.append((first, last, messy.email(rng, first, last)))
        return locations, people

    def _variant(self, rng, address):
        """The same location as typed again: sometimes other case or stray spaces."""
        copy = dict(address)
        if rng.random() < 0.1:
            copy["street_1"] = messy.pad(rng, messy.mixed_case(rng, copy["street_1"]), rate=1)
        return copy

    def _job(self, rng, rid, customer, cid, address, brand_ids, source_ids):
        created, updated = self._stamps(rng)
        service_type = rng.choice(SERVICE_TYPES)
        job = {
            "id": rid, "organization_id": customer["organization_id"], "customer_id": cid,
            "title": messy.pad(rng, f"{service_type} - {customer['last_name'].strip()}"),
            "description": self._markdown(rng), "service_type": service_type,
            "address": address, "brand_id": rng.choice(brand_ids),
            "source_id": rng.choice(source_ids),
            "equipment_descriptions": [self._equipment(rng)
                                       for _ in range(rng.choice((0, 0, 1, 1, 2)))],
            "service_fee": round(rng.uniform(49, 899), 2) if rng.random() < 0.7 else None,
            "status": messy.status(rng, rng.choice(JOB_STATUSES)),
            "status_message": messy.sentence(rng, (2, 6)) if rng.random() < 0.2 else None,
            "external_ids": [f"WO-{rid % 1_000_000}"] if rng.random() < 0.4 else [],
            "created_at": created, "updated_at": updated,
        }
        if rng.random() < 0.3:  # a Dispatch Connect job
            job["symptom"] = messy.sentence(rng, (3, 8))
            job["service_instructions"] = messy.notes(rng, empty_rate=0.2)
            job["resolution"] = messy.sentence(rng) if rng.random() < 0.5 else None
            job["custom_fields"] = self._custom_fields(rng)
        return job

    def _markdown(self, rng):
        if rng.random() < 0.01:
            return "## Site history\n\n" + messy.long_text(rng, 20_000)
        lines = [f"**{messy.sentence(rng, (2, 4))}**", ""]
        lines += [f"- {messy.sentence(rng, (3, 8))}" for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.3:
            lines.append(f"\n> Gate code: {rng.randint(1000, 9999)}")
        return "\n".join(lines)

    def _equipment(self, rng):
        manufacturer, model, kind = rng.choice(EQUIPMENT)
        installed = messy.moment(rng, datetime(2005, 1, 1, tzinfo=timezone.utc), EPOCH_START)
        return {
            "manufacturer": manufacturer, "model_number": model,
            "serial_number": f"{rng.randint(10**9, 10**10 - 1)}", "equipment_type": kind,
            "installation_date": installed.date().isoformat() if rng.random() < 0.8 else None,
        }

    def _custom_fields(self, rng):
        fields = {
            "warranty_number": f"W{rng.randint(100000, 999999)}",
            "priority": rng.choice(PRIORITIES),
            "visit_count": rng.randint(1, 12),
            "unit_tonnage": rng.choice((1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0)),
            "is_commercial": rng.random() < 0.3,
            "install_date": messy.moment(rng, datetime(2010, 1, 1, tzinfo=timezone.utc),
                                         EPOCH_START).date().isoformat(),
        }
        # not every job fills every field
        return {k: v for k, v in fields.items() if rng.random() < 0.85}

    def _job_contacts(self, rng, job, people, customer_id):
        """The job's contacts (also served by ``/v3/jobs/:id/contacts``)."""
        contacts = []
        for position in range(rng.choice((0, 1, 1, 1, 2, 2))):
            first, last, email = people[rng.randrange(len(people))]
            if customer_id is not None:
                self._contact_people.setdefault(customer_id, set()).add(
                    (first.strip().casefold(), last.strip().casefold()))
            methods = [{"method": "phone", "value": messy.phone(rng, missing_rate=0),
                        "notify": rng.random() < 0.5}]
            if email:
                methods.append({"method": "email", "value": email, "notify": True})
            contact = {
                "id": ID_BASE["job_contacts"] + len(self.records["job_contacts"]),
                "job_id": job["id"], "first_name": first, "last_name": last,
                "primary": position == 0, "relationship": rng.choice(RELATIONSHIPS),
                "address": job["address"] if rng.random() < 0.3 else None,
                "contact_methods": methods,
                "created_at": job["created_at"], "updated_at": job["updated_at"],
            }
            self.records["job_contacts"].append(contact)
            contacts.append(contact)
        return contacts

    def _job_children(self, rng, job, technician_ids):
        """Appointments, survey responses and attachments of one job."""
        appointment_ids = []
        for _ in range(rng.choice((0, 1, 1, 1, 1, 2, 2))):
            when = messy.moment(rng, EPOCH_START, EPOCH_END)
            rid = ID_BASE["appointments"] + len(self.records["appointments"])
            appointment_ids.append(rid)
            status = rng.choice(APPOINTMENT_STATUSES) if rng.random() > 0.02 else "in_progress"
            self.records["appointments"].append({
                "id": rid, "job_id": job["id"], "organization_id": job["organization_id"],
                "time": messy.timestamp(rng, when),
                "duration": rng.choice((7200, 7200, 3600, 5400, 14400)),
                "user_id": rng.choice(technician_ids) if rng.random() < 0.9 else None,
                "status": messy.status(rng, status),
                "created_at": api_time(when - timedelta(days=rng.randint(1, 20))),
                "updated_at": api_time(min(when + timedelta(hours=4), EPOCH_END)),
            })
        if appointment_ids and rng.random() < 0.3:
            self.records["survey_responses"].append({
                "id": ID_BASE["survey_responses"] + len(self.records["survey_responses"]),
                "job_id": job["id"], "appointment_id": appointment_ids[-1],
                "rating": rng.randint(0, 5),
                "message": messy.sentence(rng) if rng.random() < 0.6 else "",
                "created_at": job["updated_at"], "updated_at": job["updated_at"],
            })
        for _ in range(rng.choice((0, 0, 0, 0, 1, 2))):
            self._attachment(rng, job)

    def _attachment(self, rng, job):
        rid = ID_BASE["attachments"] + len(self.records["attachments"])
        kind = rng.choice(("png", "png", "pdf", "txt"))
        name = {"png": f"photo_{rid}.png", "pdf": f"invoice_{rid}.pdf",
                "txt": f"service_log_{rid}.txt"}[kind]
        token = hashlib.sha1(f"{self.seed}:{rid}".encode()).hexdigest()[:32]
        self._files[token] = (kind, name)
        self.records["attachments"].append({
            "id": rid, "entity_type": "Job", "entity_id": job["id"], "name": name,
            "description": messy.sentence(rng, (2, 6)) if rng.random() < 0.5 else "",
            "file_token": token,
            "deleted_at": job["updated_at"] if rng.random() < 0.03 else None,
            "created_at": job["updated_at"], "updated_at": job["updated_at"],
        })
