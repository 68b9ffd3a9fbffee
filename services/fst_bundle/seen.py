"""The ids already seen in one file, in bounded memory (a set that spills to SQLite)."""

import hashlib
import sqlite3

#: ids of one file kept in memory before the rest spill to a temporary SQLite table
SEEN_IDS_IN_MEMORY = 200_000


class SeenIds:
    """A set of ids with bounded memory: the first ``in_memory`` ids in a Python set of
    16-byte BLAKE2 digests, the others in a temporary on-disk SQLite table (SQLite's
    ``""`` database: private, deleted on close, page cache capped at 8 MB).

    ``add(id)`` returns False when the id was already there.
    """

    def __init__(self, in_memory=SEEN_IDS_IN_MEMORY):
        self.in_memory = in_memory
        self._set = set()
        self._db = None

    @staticmethod
    def _key(value):
        return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def add(self, value):
        key = self._key(value)
        if key in self._set:
            return False
        if len(self._set) < self.in_memory:
            self._set.add(key)
            return True
        if self._db is None:
            self._db = sqlite3.connect("")
            self._db.execute("PRAGMA cache_size=-8192")
            self._db.execute("PRAGMA journal_mode=OFF")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE seen (k BLOB PRIMARY KEY) WITHOUT ROWID")
        return self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (key,)).rowcount == 1

    def __len__(self):
        spilled = self._db.execute("SELECT count(*) FROM seen").fetchone()[0] if self._db else 0
        return len(self._set) + spilled

    def close(self):
        self._set = set()
        if self._db is not None:
            self._db.close()
            self._db = None
