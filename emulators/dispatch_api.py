"""The Dispatch v3 API's shape as the emulator serves it: resources, error answers, JSON bodies."""

import json

from .dispatch_data import OBJECTS

#: objects served as ``/v3/<plural>`` (job contacts only through their job)
LIST_OBJECTS = tuple(obj for obj in OBJECTS if obj != "job_contacts")
SINGULAR = {obj: obj[:-1] for obj in OBJECTS}
SINGULAR["job_contacts"] = "contact"


class ApiError(Exception):
    """An error answer: ``status`` and JSON ``body``."""

    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


_JSON = {"Content-Type": "application/json; charset=utf-8"}


def _json_object(body):
    """An admin request body: a JSON object, else a 400."""
    try:
        values = json.loads(body or b"{}")
    except ValueError:
        values = None
    if not isinstance(values, dict):
        raise ApiError(400, {"errors": "a JSON object is expected"})
    return values
