"""The files of a bundle (a folder or a zip) opened within bounds, and safe attachment paths."""

import io
import os
import posixpath
import re
import zipfile
import zlib

from ..errors import BundleError
from .objects import FILES_FOLDER

#: the largest zip member read (declared uncompressed bytes)
MAX_MEMBER_BYTES = 4 * 1024 * 1024 * 1024
#: the highest declared compression ratio of a zip member larger than RATIO_FREE_BYTES
MAX_RATIO = 100
RATIO_FREE_BYTES = 8 * 1024 * 1024


def attachment_path(ref):
    """The safe path, relative to ``files/``, of an attachment reference.

    ``ref`` is a manifest row (its ``path``) or the path itself. Absolute paths, drive
    letters and any ``..`` component are refused with :class:`BundleError`.
    """
    raw = ref.get("path") if isinstance(ref, dict) else ref
    if not isinstance(raw, str) or not raw.strip():
        raise BundleError(f"Attachment reference {ref!r} has no path.")
    path = raw.strip().replace("\\", "/")
    if path.lower().startswith(FILES_FOLDER + "/"):
        path = path[len(FILES_FOLDER) + 1:]
    return safe_path(path, raw, ref)


def safe_path(path, raw=None, ref=None, where=f"bundle's {FILES_FOLDER}/ folder"):
    """``path`` ('/'-separated) normalised, or :class:`BundleError` when it is absolute,
    has a drive letter or a ``..`` component (it would point outside ``where``)."""
    raw = path if raw is None else raw
    parts = path.split("/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in parts:
        raise BundleError(
            f"Attachment path {raw!r} is refused: it points outside the {where}.", file=raw)
    clean = posixpath.normpath(path)
    if clean in (".", ""):
        raise BundleError(f"Attachment reference {raw if ref is None else ref!r} has no file "
                          "name.", file=raw)
    return clean


class BundleLimitError(BundleError):
    """A file of the bundle is out of the reader's bounds (size, ratio): that file is
    not read (an issue when it is an object's file), the others are."""


class _Container:
    """The files of a bundle, by path relative to the bundle root (``/`` separated)."""

    def names(self):
        raise NotImplementedError

    def open(self, name, max_bytes=None):
        """A binary stream over one file; ``FileNotFoundError`` when absent; a
        ``BundleError`` when it declares more than ``max_bytes``."""
        raise NotImplementedError

    def close(self):
        """Release the underlying file handles."""


class _FolderContainer(_Container):
    def __init__(self, root):
        self.root = os.path.realpath(root)

    def names(self):
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            rel = os.path.relpath(folder, self.root)
            for file_name in files:
                path = file_name if rel == "." else os.path.join(rel, file_name)
                yield path.replace(os.sep, "/")

    def open(self, name, max_bytes=None):
        full = os.path.realpath(os.path.join(self.root, *name.split("/")))
        if os.path.commonpath([full, self.root]) != self.root:
            raise BundleError(f"{name!r} resolves outside the bundle folder; refused.",
                              file=name)
        if max_bytes is not None and os.path.isfile(full) and os.path.getsize(full) > max_bytes:
            raise BundleLimitError(f"{name} holds {os.path.getsize(full)} bytes, above the limit "
                              f"of {max_bytes} bytes; not read.", file=name)
        return open(full, "rb")


class _ZipContainer(_Container):
    """Zip members, refused when their declared size or ratio is out of bounds and
    counted while read against the size their entry declares."""

    max_member_bytes = MAX_MEMBER_BYTES
    max_ratio = MAX_RATIO

    def __init__(self, path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise BundleError(
                f"{os.path.basename(path)} is not a readable zip file ({exc}); it may be "
                "truncated: copy or download it again.", file=os.path.basename(path)) from None
        # some Windows tools write "folder\\file.csv": compare with "/" everywhere
        self.members = {info.filename.replace("\\", "/"): info
                        for info in self.zip.infolist() if not info.is_dir()}

    def names(self):
        return iter(self.members)

    def check(self, name, max_bytes=None):
        """Refuse (``BundleError``) a member whose declared sizes are out of bounds."""
        info = self.members[name]
        limit = min(self.max_member_bytes, max_bytes or self.max_member_bytes)
        if info.file_size > limit:
            raise BundleLimitError(f"{name} declares {info.file_size} bytes, above the limit of "
                              f"{limit} bytes; not read.", file=name)
        ratio = info.file_size / max(info.compress_size, 1)
        if self.max_ratio and info.file_size > RATIO_FREE_BYTES and ratio > self.max_ratio:
            raise BundleLimitError(
                f"{name} declares {info.file_size} bytes compressed into "
                f"{info.compress_size} (ratio {ratio:.0f}:1, above {self.max_ratio}:1): a "
                "compression bomb, not read.", file=name)
        return info

    def open(self, name, max_bytes=None):
        if name not in self.members:
            raise FileNotFoundError(name)
        info = self.check(name, max_bytes)
        try:
            return io.BufferedReader(_CountedMember(self.zip.open(info), name, info.file_size))
        except RuntimeError:  # zipfile's way of saying "encrypted"
            raise BundleError(f"{name} is password-protected in the zip: export the bundle "
                              "again without a password.", file=name) from None
        except NotImplementedError as exc:  # e.g. Deflate64 from Windows Explorer
            raise BundleError(f"{name} is compressed with a method Python cannot read "
                              f"({exc}): zip the bundle again with standard Deflate.",
                              file=name) from None

    def close(self):
        self.zip.close()


class _CountedStream(io.RawIOBase):
    """A binary stream over ``stream`` that counts the bytes it yields (``read_bytes``)
    and refuses, through the subclass's ``_check``, what goes past ``limit``."""

    def __init__(self, stream, name, limit):
        self._stream = stream
        self.name = name
        self.limit = limit
        self.read_bytes = 0

    def readable(self):
        return True

    def _read(self, size):
        return self._stream.read(size)

    def _check(self, data, wanted):
        raise NotImplementedError

    def readinto(self, buffer):
        data = self._read(min(len(buffer), 1024 * 1024))
        self.read_bytes += len(data)
        self._check(data, len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self):
        if not self.closed:
            self._stream.close()
        return super().close()


class _CountedMember(_CountedStream):
    """A zip member's stream that fails (``BadZipFile``) as soon as it yields more bytes
    than its entry declares (``limit``), or ends before them."""

    def _check(self, data, wanted):
        if self.read_bytes > self.limit:
            raise zipfile.BadZipFile(f"{self.name} holds more than the {self.limit} bytes "
                                     "its zip entry declares")
        if not data and wanted and self.read_bytes < self.limit:
            raise zipfile.BadZipFile(f"{self.name} ends after {self.read_bytes} of the "
                                     f"{self.limit} bytes its zip entry declares")


#: errors a damaged zip member or disk raises while being read
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


def _as_size(value):
    """A manifest ``size`` as a whole number of bytes, else None."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


class _CappedFile(_CountedStream):
    """An attachment's stream that raises ``BundleError`` past ``limit`` bytes read."""

    def __init__(self, stream, limit, name):
        super().__init__(stream, name, limit)

    def _read(self, size):
        try:
            return self._stream.read(size)
        except _READ_ERRORS as exc:
            raise BundleError(f"Attachment {self.name!r} cannot be read: {exc}",
                              file=self.name) from None

    def _check(self, data, wanted):
        if self.read_bytes > self.limit:
            raise BundleError(f"Attachment {self.name!r} is larger than the limit of "
                              f"{self.limit} bytes; reading stopped.", file=self.name)
