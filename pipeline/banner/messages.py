"""Counts in banner copy: a strict subset of ICU MessageFormat, plural categories from CLDR.

Translators know ICU's plural syntax, so brief copy uses it::

    {stock, plural, =0 {Sold out} one {Only # left} other {Only # left}}
    Save {percent} % today

Supported, and nothing else:

* plain text (`'` is ICU's quote: `''` is one apostrophe, `'{'` / `'}'` / `'#'` are literal
  characters; an apostrophe before anything else, as in French "l'hiver", is just an apostrophe);
* `{name}`: the value, written as the locale writes numbers (Babel `format_decimal`: de-DE `1.234`)
  in the banner's digit system (`numbering`: ar-AE `arab` writes `١٢`);
* `{name, plural, SELECTOR {message} ...}` with selectors `=N` (exact value, checked first) and
  the CLDR categories `zero one two few many other`; `other` is required. Inside a branch `#` is
  the plural's value, formatted like `{name}`. Branches may nest further placeholders and plurals.

Categories come from CLDR through Babel (`Locale.plural_form`): Arabic has all six, French treats
0 and 1 as `one`, Japanese has only `other`. A category the locale's rules never produce is an
error (a translator's slip, e.g. `few` in German), as are unknown variables, `select`, `offset:`,
`selectordinal` and anything else outside this subset. No maintained PyPI library does this with
Babel's CLDR data (pyicumessageformat only parses and was last released in 2021;
generaltranslation-intl-messageformat is a 0.0.x release under a non-OSI licence that falls
back to English for an unknown locale and never checks categories), hence this small parser.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.plural import PluralRule

from pipeline.banner.money import format_number
from pipeline.errors import InputError
from pipeline.model.locales import LocaleInfo

__all__ = ["KNOWN_VARIABLES", "CATEGORIES", "render_message", "validate_message", "variables_of", "plural_categories"]

# stock: the catalog stock for the SKU in the locale's market; percent: the brief's announced discount
KNOWN_VARIABLES: frozenset[str] = frozenset({"stock", "percent"})
CATEGORIES: tuple[str, ...] = ("zero", "one", "two", "few", "many", "other")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXACT = re.compile(r"=(0|[1-9][0-9]*)")


# --------------------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class _Arg:
    name: str


@dataclass(frozen=True)
class _Hash:  # '#' inside a plural branch
    pass


@dataclass(frozen=True)
class _Plural:
    name: str
    exact: tuple[tuple[int, tuple[_Node, ...]], ...]  # (=N, branch) in source order
    categories: tuple[tuple[str, tuple[_Node, ...]], ...]


_Node = str | _Arg | _Hash | _Plural


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def fail(self, problem: str, at: int | None = None) -> InputError:
        pos = self.i if at is None else at
        return InputError(f"{problem} at character {pos + 1}")

    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def expect(self, ch: str, what: str) -> None:
        self.ws()
        if self.i >= len(self.s) or self.s[self.i] != ch:
            found = repr(self.s[self.i]) if self.i < len(self.s) else "the end"
            raise self.fail(f"expected '{ch}' {what}, found {found}")
        self.i += 1

    def name(self) -> str:
        self.ws()
        m = _NAME.match(self.s, self.i)
        if not m:
            raise self.fail("expected a variable name such as 'stock'")
        self.i = m.end()
        return m.group()

    def message(self, in_plural: bool) -> tuple[_Node, ...]:
        """Nodes until an unmatched '}' (inside a branch) or the end (top level)."""
        nodes: list[_Node] = []
        text: list[str] = []

        def flush() -> None:
            if text:
                nodes.append("".join(text))
                text.clear()

        s = self.s
        while self.i < len(s):
            ch = s[self.i]
            if ch == "'":
                nxt = s[self.i + 1] if self.i + 1 < len(s) else ""
                if nxt == "'":
                    text.append("'")
                    self.i += 2
                elif nxt in ("{", "}") or (nxt == "#" and in_plural):
                    start = self.i
                    self.i += 1
                    while True:
                        if self.i >= len(s):
                            raise self.fail(
                                "unterminated quote (a ' before { } or # starts a quoted literal; "
                                "close it with another ')",
                                at=start,
                            )
                        if s[self.i] == "'":
                            if self.i + 1 < len(s) and s[self.i + 1] == "'":
                                text.append("'")
                                self.i += 2
                                continue
                            self.i += 1
                            break
                        text.append(s[self.i])
                        self.i += 1
                else:
                    text.append("'")
                    self.i += 1
            elif ch == "{":
                flush()
                nodes.append(self.argument())
            elif ch == "}":
                if not in_plural:
                    raise self.fail("unmatched '}' (a literal brace is written '}')")
                break
            elif ch == "#" and in_plural:
                flush()
                nodes.append(_Hash())
                self.i += 1
            else:
                text.append(ch)
                self.i += 1
        flush()
        return tuple(nodes)

    def argument(self) -> _Node:
        start = self.i
        self.i += 1  # '{'
        name = self.name()
        self.ws()
        if self.i < len(self.s) and self.s[self.i] == "}":
            self.i += 1
            return _Arg(name)
        if self.i >= len(self.s):
            raise self.fail(f"unclosed '{{' of {{{name}}}", at=start)
        if self.s[self.i] != ",":
            raise self.fail(f"expected '}}' or ', plural,' after {{{name}")
        self.i += 1
        self.ws()
        m = _NAME.match(self.s, self.i)
        kind = m.group() if m else ""
        if kind != "plural":
            raise self.fail(
                f"unsupported argument type {kind!r} in {{{name}, ...}}; only "
                f"{{{name}}} and {{{name}, plural, ...}} are supported"
            )
        self.i = m.end()  # type: ignore[union-attr]
        self.expect(",", f"after '{name}, plural'")
        exact: list[tuple[int, tuple[_Node, ...]]] = []
        cats: list[tuple[str, tuple[_Node, ...]]] = []
        seen: set[str] = set()
        while True:
            self.ws()
            if self.i >= len(self.s):
                raise self.fail(f"unclosed plural {{{name}, plural, ...}}", at=start)
            if self.s[self.i] == "}":
                self.i += 1
                break
            sel_at = self.i
            m = _EXACT.match(self.s, self.i) or _NAME.match(self.s, self.i)
            if not m:
                raise self.fail(f"expected a plural selector (=N or one of {', '.join(CATEGORIES)})")
            selector = m.group()
            self.i = m.end()
            if selector == "offset" and self.i < len(self.s) and self.s[self.i] == ":":
                raise self.fail("plural offset: is not supported", at=sel_at)
            if not selector.startswith("=") and selector not in CATEGORIES:
                raise self.fail(
                    f"unknown plural category {selector!r}; CLDR categories are "
                    f"{', '.join(CATEGORIES)} (or =N for an exact value)",
                    at=sel_at,
                )
            if selector in seen:
                raise self.fail(f"plural selector {selector!r} appears twice in {{{name}, plural, ...}}", at=sel_at)
            seen.add(selector)
            self.expect("{", f"after plural selector {selector!r}")
            branch = self.message(in_plural=True)
            if self.i >= len(self.s):
                raise self.fail(f"unclosed '{{' of the {selector!r} branch", at=sel_at)
            self.i += 1  # '}'
            if selector.startswith("="):
                exact.append((int(selector[1:]), branch))
            else:
                cats.append((selector, branch))
        if not exact and not cats:
            raise self.fail(f"plural {{{name}, plural, ...}} has no branches", at=start)
        if "other" not in seen:
            raise self.fail(f"plural {{{name}, plural, ...}} has no 'other' branch (required)", at=start)
        return _Plural(name, tuple(exact), tuple(cats))


@lru_cache(maxsize=1024)
def _parse(template: str) -> tuple[_Node, ...]:
    if not isinstance(template, str):
        raise TypeError(f"message template must be a str, got {type(template).__name__}")
    return _Parser(template).message(in_plural=False)


def _walk(nodes: tuple[_Node, ...]) -> Iterator[_Node]:
    for node in nodes:
        yield node
        if isinstance(node, _Plural):
            for _, branch in (*node.exact, *node.categories):
                yield from _walk(branch)


# --------------------------------------------------------------------------- CLDR


@lru_cache(maxsize=64)
def _rule(babel_id: str) -> PluralRule:
    return Locale.parse(babel_id).plural_form


def plural_categories(locale: LocaleInfo) -> frozenset[str]:
    """The CLDR plural categories the locale's rules can produce (always includes 'other')."""
    return frozenset(_rule(locale.babel).tags) | {"other"}


# --------------------------------------------------------------------------- API


def variables_of(template: str) -> frozenset[str]:
    """The variable names a template uses (`InputError` when it is malformed)."""
    return frozenset(n.name for n in _walk(_parse(template)) if isinstance(n, (_Arg, _Plural)))


def validate_message(template: str, locale: LocaleInfo, variables: Collection[str] = KNOWN_VARIABLES) -> None:
    """Raise `InputError` (one line) for malformed syntax, an unknown variable, a plural without
    'other', or a plural category that `locale`'s CLDR rules never produce: all of them are slips
    in a brief's copy, which is where templates come from."""
    nodes = _parse(template)
    allowed = plural_categories(locale)
    for node in _walk(nodes):
        if isinstance(node, (_Arg, _Plural)) and node.name not in variables:
            known = ", ".join(sorted(variables)) or "none"
            raise InputError(f"unknown variable {{{node.name}}}; known: {known}")
        if isinstance(node, _Plural):
            for cat, _ in node.categories:
                if cat not in allowed:
                    order = [c for c in CATEGORIES if c in allowed]
                    raise InputError(
                        f"plural category {cat!r} never occurs in {locale.code} "
                        f"(CLDR categories: {', '.join(order)}); use =N for an exact value"
                    )


Number = int | Decimal


def _number(name: str, values: Mapping[str, Number]) -> Number:
    if name not in values:
        raise ValueError(f"no value for {{{name}}}; given: {', '.join(sorted(values)) or 'none'}")
    value = values[name]
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"value of {{{name}}} must be an int or Decimal, got {type(value).__name__} {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"value of {{{name}}} is not a finite number: {value}")
    return value


def render_message(
    template: str, values: Mapping[str, Number], locale: LocaleInfo, numbering: str | None = None
) -> str:
    """The template with its placeholders and plurals resolved for `locale`.

    Numbers are written by Babel's `format_decimal` (de-DE `1.234`, fr-FR `1 234`) in the digit
    system `numbering` (None: the locale's CLDR default); digits typed in the template are kept as
    typed (the digit check reports them when they differ). A plural takes its first matching `=N`
    branch, else the branch of the value's CLDR category, else `other`. Raises `InputError` for a
    malformed template, ValueError for a missing value and TypeError for a value that is not an int
    or Decimal (the caller's bugs: templates are checked against the known variables when the brief
    is loaded). Templates are parsed once (cached)."""
    rule = _rule(locale.babel)
    out: list[str] = []

    def fmt(value: Number) -> str:
        return format_number(value, locale, numbering)

    def emit(nodes: tuple[_Node, ...], hash_value: Number | None) -> None:
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif isinstance(node, _Arg):
                out.append(fmt(_number(node.name, values)))
            elif isinstance(node, _Hash):
                out.append(fmt(hash_value))  # type: ignore[arg-type]  # only parsed inside a plural
            else:
                value = _number(node.name, values)
                branch = next((b for n, b in node.exact if value == n), None)
                if branch is None:
                    cats = dict(node.categories)
                    branch = cats.get(rule(value), cats["other"])
                emit(branch, value)

    emit(_parse(template), None)
    return "".join(out)
