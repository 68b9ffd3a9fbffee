"""Source option values: spellings folded to one option, priority and status words read
(what the value maps are built from)."""

import re

MASK = "•••"

WON_WORDS = {"completed", "complete", "done", "closed", "won", "finished", "resolved"}
LOST_WORDS = {"cancelled", "canceled", "cancel", "rejected", "lost", "declined", "void",
              "voided", "abandoned"}
PRIORITY_WORDS = {
    "0": {"low", "lowest", "minor", "trivial", "0"},
    "1": {"normal", "medium", "standard", "routine", "regular", "1"},
    "2": {"high", "important", "major", "2"},
    "3": {"urgent", "emergency", "critical", "very high", "highest", "asap", "3"},
}
PRIORITY_LABELS = {"0": "Low", "1": "Medium", "2": "High", "3": "Very High"}


def clean_value(value):
    """A value as an option: spaces (incl. no-break) collapsed, ends stripped."""
    return " ".join(str(value).replace("\xa0", " ").split())


def value_key(value):
    return clean_value(value).casefold()


def _nicest(variants):
    """The spelling to keep among case/space variants: mixed case first, then Title."""
    cleaned = [clean_value(v) for v in variants]
    for text in cleaned:
        if text != text.upper() and text != text.lower():
            return text
    for text in cleaned:
        if text != text.upper():
            return text
    return cleaned[0]


def observed_values(fprof):
    """Every distinct value discovery kept for an enumeration-like field (``options``),
    else its samples."""
    return list(fprof.get("options") or fprof.get("samples") or [])


def canonical_values(samples, known=()):
    """``(options, variants)``: the distinct values in order (``known`` ones first, as
    spelled there) and a map ``raw sample → option`` for every sample."""
    groups = {}
    for value in known:
        groups.setdefault(value_key(value), [clean_value(value)])
    seen = {}
    for sample in samples:
        if sample is None or sample == MASK or not clean_value(sample):
            continue
        seen.setdefault(value_key(sample), []).append(sample)
    options = {key: spellings[0] for key, spellings in groups.items()}
    for key, spellings in seen.items():
        options.setdefault(key, _nicest(spellings))
    variants = {}
    for key, spellings in seen.items():
        for sample in spellings:
            variants[sample] = options[key]
    return list(options.values()), variants


def priority_level(value):
    """'0'..'3' for a priority word, else None."""
    key = value_key(value)
    for level, words in PRIORITY_WORDS.items():
        if key in words:
            return level
    return None


def status_kind(value):
    """'won', 'lost' or None for a status value."""
    words = set(re.split(r"[^a-z]+", value_key(value))) | {value_key(value)}
    if words & WON_WORDS:
        return "won"
    if words & LOST_WORDS:
        return "lost"
    return None
