"""Names of places reduced to a searchable form: no accents, no case, no punctuation, « st » read as « saint »."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def normalize_name(text: str) -> str:
    """« Saint-Girons » → « saint girons »; « St Girons », « saint girons » and « SAINT-GIRONS » give the same."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = _NON_ALNUM.sub(" ", ascii_text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)
