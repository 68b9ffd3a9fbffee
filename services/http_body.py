"""A streamed HTTP response body, capped at a number of decoded bytes (gzip/deflate)."""

import io
import zlib

from .errors import SourceDataError, SourceTooLarge

#: decoded bytes produced per decompression step (bounds the memory of one read)
DECODE_STEP = 64 * 1024


class CappedBody(io.RawIOBase):
    """A streamed ``requests`` response body, decoded here, capped at ``max_bytes``.

    ``Content-Length`` is checked first (above the cap: refused before reading). The
    body is read raw (``decode_content=False``) in chunks of at most ``DECODE_STEP``
    bytes and gzip/deflate are decoded with ``zlib``'s ``max_length``, so one read never
    holds more than ``DECODE_STEP`` decoded bytes besides the caller's buffer, whatever
    the compression ratio and the ``urllib3`` version. Counting decoded bytes, it raises
    ``SourceTooLarge`` as soon as the body goes past ``max_bytes``.
    """

    def __init__(self, response, max_bytes, shown_url=""):
        self._response = response
        self._raw = response.raw
        self.max_bytes = max_bytes
        self.shown_url = shown_url
        self.decoded = 0
        self._pending = b""
        self._raw_done = False
        encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding in ("", "identity"):
            self._decoder = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._decoder = _Decoder(encoding)
        else:
            response.close()
            raise SourceDataError(f"{shown_url} answered with Content-Encoding {encoding!r}, "
                                  "which is not read (only gzip and deflate).", url=shown_url)
        length = response.headers.get("Content-Length")
        if length and length.strip().isdigit() and int(length) > max_bytes:
            response.close()
            raise SourceTooLarge(
                f"{shown_url} announces {int(length)} bytes (Content-Length), above the "
                f"limit of {max_bytes} bytes; not read.", url=shown_url)

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._pending:
            if self._raw_done:
                return 0
            chunk = self._raw.read(DECODE_STEP, decode_content=False)
            if not chunk:
                self._raw_done = True
                if self._decoder is not None:
                    self._pending = self._decoder.flush()
                    self._count(len(self._pending))
                continue
            if self._decoder is None:
                self._pending = chunk
                self._count(len(chunk))
            else:
                self._decoder.feed(chunk)
                self._pending = self._decoder.take(DECODE_STEP)
                self._count(len(self._pending))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        if not self._pending and self._decoder is not None:
            self._pending = self._decoder.take(DECODE_STEP)
            self._count(len(self._pending))
        return size

    def _count(self, size):
        self.decoded += size
        if self.decoded > self.max_bytes:
            self.close()
            raise SourceTooLarge(
                f"{self.shown_url}: the body decodes to more than {self.max_bytes} bytes "
                "(counted after decompression); reading stopped.", url=self.shown_url)

    def close(self):
        if not self.closed:
            self._response.close()
        return super().close()


class _Decoder:
    """gzip (several members too) or deflate (zlib or raw) decoded in bounded steps."""

    def __init__(self, encoding):
        self._gzip = encoding != "deflate"
        self._obj = None
        self._input = b""

    def feed(self, chunk):
        self._input += chunk

    def _new(self):
        if self._gzip:
            return zlib.decompressobj(31)
        head = self._input[:2]
        is_zlib = len(head) == 2 and head[0] & 0x0F == 8 and int.from_bytes(head, "big") % 31 == 0
        return zlib.decompressobj(15 if is_zlib else -15)

    def take(self, limit):
        """Up to ``limit`` decoded bytes of what was fed (fewer: all of it is used)."""
        out = bytearray()
        try:
            while len(out) < limit and self._input:
                if self._obj is None:
                    self._obj = self._new()
                if self._obj.eof:  # bytes after the end: another gzip member, or padding
                    if self._gzip and self._input.strip(b"\0"):
                        self._obj = zlib.decompressobj(31)
                        continue
                    self._input = b""
                    break
                out += self._obj.decompress(self._input, limit - len(out))
                self._input = self._obj.unconsumed_tail
                if self._obj.eof:
                    self._input = self._obj.unused_data + self._input
        except zlib.error as exc:
            raise SourceDataError(f"the body is not valid {'gzip' if self._gzip else 'deflate'}"
                                  f" data ({exc})") from None
        return bytes(out)

    def flush(self):
        return self.take(DECODE_STEP)
