"""Copy checks: tone of voice, disclaimers, claims and announced price reductions against data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pipeline.checks.results import CheckResult, Verdict, not_applicable
from pipeline.model.brand import BrandGuide
from pipeline.model.campaign import TEMPLATE_FIELDS
from pipeline.model.catalog import CatalogItem, prior_price
from pipeline.model.locales import LocaleInfo

# --- copy: tone of voice and claims -------------------------------------------------------------

# Zero-width and bidi control marks: invisible to a reader, so left out of the messages they read.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    None,
)

# What the copy checks read: the template fields, then the legal line.
COPY_FIELDS = (*TEMPLATE_FIELDS, "legal")


def _shown(text: str) -> str:
    """Text as a designer should read it in a message: no bidi marks, plain spaces."""
    return " ".join(text.translate(_INVISIBLE).split())


def check_copy(
    texts: dict[str, str],
    locale: LocaleInfo,
    brand: BrandGuide,
    *,
    sku: str | None,
    on: date,
    item: CatalogItem | None = None,
    campaign_ends: date | None = None,
) -> list[CheckResult]:
    """The banner's copy against the brand's tone, the market's disclaimer and the claims engine
    (pipeline.checks.claims: prices stated in the text, urgency, stock, free offers, green, health,
    superlative, origin and guarantee claims against the claims library and the catalog).

    The fields are checked as one text, as a reader sees the banner: a "free" offer's conditions
    may sit in the legal line. The brief's own announced reduction is `price.reduction`'s job.
    """
    from pipeline.checks.claims import CopyContext, find_claims, normalise

    out: list[CheckResult] = []
    disclaimer = brand.tone.disclaimers.get(locale.code)
    if disclaimer and normalise(disclaimer)[0] not in normalise(texts.get("legal", ""))[0]:
        out.append(
            CheckResult(
                "copy.disclaimer",
                Verdict.BLOCKED,
                "disclaimer.missing",
                f"required {locale.code} disclaimer is missing: {disclaimer!r}",
            )
        )
    parts: list[tuple[str, int, int]] = []  # field, start, end in the joined text
    joined = ""
    for name in COPY_FIELDS:
        value = texts.get(name) or ""
        if value:
            if joined:
                joined += "\n"
            parts.append((name, len(joined), len(joined) + len(value)))
            joined += value
    banned = tuple(brand.tone.banned_words) + tuple(brand.tone.banned_words_by_locale.get(locale.code, []))
    ctx = CopyContext(
        locale=locale,
        on=on,
        claims=tuple(brand.claims),
        banned_words=banned,
        sku=sku,
        item=item,
        campaign_ends=campaign_ends,
    )
    for f in find_claims(joined, ctx):
        field = next((n for n, a, b in parts if a <= f.span[0] < b), "copy")
        check_id = "copy.tone" if f.category == "tone" else f"copy.claims.{f.category}"
        out.append(CheckResult(check_id, f.severity, f.rule, f"{field} {_shown(f.matched)!r}: {f.message}"))
    if not out:
        out.append(
            CheckResult("copy.claims", Verdict.PASSED, "copy.ok", "copy passes tone, disclaimer and claim rules")
        )
    return out


def check_price_reduction(
    item: CatalogItem, announced_percent: int | None, starts: date
) -> tuple[CheckResult, Decimal | None]:
    """An announced reduction needs a prior price (lowest of the 30 days before) that supports it.

    Returns the result and the prior price to show on the banner (None when none may be shown).
    """
    if announced_percent is None:
        return not_applicable(
            "price.reduction", "price.no_reduction", "no reduction announced, so none to verify"
        ), None
    prior = prior_price(item, starts)
    if prior is None:
        return CheckResult(
            "price.reduction",
            Verdict.BLOCKED,
            "price.no_history",
            f"-{announced_percent}% announced but {item.sku}/{item.market} has no price history covering "
            f"the 30 days before {starts.isoformat()}",
        ), None
    if prior <= 0:
        return CheckResult(
            "price.reduction", Verdict.BLOCKED, "price.bad_history", f"prior price {prior} is not positive"
        ), None
    real = (prior - item.price) / prior * 100
    if real + Decimal("1e-9") < announced_percent:
        return CheckResult(
            "price.reduction",
            Verdict.BLOCKED,
            "price.reduction_overstated",
            f"-{announced_percent}% announced but the price {item.price} {item.currency} is only "
            f"{real.quantize(Decimal('0.1'))}% below the lowest price of the previous 30 days "
            f"({prior} {item.currency})",
            score=float(real),
        ), prior
    return CheckResult(
        "price.reduction",
        Verdict.PASSED,
        "price.reduction_ok",
        f"-{announced_percent}% holds: {item.price} vs lowest 30-day price {prior} {item.currency} "
        f"({real.quantize(Decimal('0.1'))}% off)",
        score=float(real),
    ), prior
