"""The built-in templates' old import path: a re-export of :mod:`services.mapping.templates`."""

from .mapping.templates import *  # noqa: F403
