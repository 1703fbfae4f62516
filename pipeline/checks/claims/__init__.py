"""Misleading-claims copy checker: finds candidate claims in banner copy and judges them against data.

A pattern only *finds* a candidate claim (a reduction, a deadline, "only 3 left", "free", a generic
green claim, a health or superlative claim, a "Made in"). Whether it may stand is decided by data
(docs/facts.md, section 4): the 30-day prior price from the price history (EU 98/6/EC Art. 6a), the
campaign end date, live stock, conditions printed on the banner, and the brand's claims library
(category, market, SKU, validity dates, approved wording). The package is pure: everything it needs
arrives in `CopyContext`; it reads no environment, clock or file (its own pattern tables aside,
loaded once at import).

Where things are:

- `tables/*.yaml`   the patterns, one file per language plus common.yaml: data a linguist edits
                    (format and checks: table_format.py; the Python checks rows name with `keep:`: lexicon.py)
- `normalise.py`    the text in comparable form (NFKC, case, look-alikes, accents, leetspeak, spacing)
- `document.py`     CopyContext, ClaimFinding and the Doc every family searches
- `engine.py`       find_claims: runs the families below in category order; BOUNDARIES
- `prices.py` (price, reference price), `urgency.py` (deadlines, dates), `scarcity.py`, `free.py`,
  `green.py` (environmental), `health.py`, `superlatives.py` (superlative, origin), `guarantee.py`
  (guarantees, warranties), `tone.py` (banned words); `library.py` checks a claim against the brand's
  claims library.

Boundary decisions (what a designer may write without a finding) are listed in `BOUNDARIES`.
"""

from __future__ import annotations

from pipeline.checks.claims.document import CATEGORIES, ClaimFinding, CopyContext
from pipeline.checks.claims.engine import BOUNDARIES, find_claims
from pipeline.checks.claims.green import EU_MARKETS
from pipeline.checks.claims.normalise import normalise

__all__ = [
    "CATEGORIES",
    "BOUNDARIES",
    "CopyContext",
    "ClaimFinding",
    "EU_MARKETS",
    "find_claims",
    "normalise",
]
