"""The form of a packaged question, built from the parameters its header declares.

Regions and sectors are drop-downs filled from the graph (labels in both
languages), plans are suggested for IRI parameters, years and text are plain
inputs; each field starts at the value in the URL, else the default. The
form is a GET to the page itself, so a filled form is a URL that can be
shared, and opening it runs the question again. The language of the labels
is the page's language (``lang`` in the URL): the form offers it as a choice,
whether or not the question has a ``lang`` parameter of its own.

>>> from kg.catalogue import Param
>>> year = Param("year", "year", True, "2025", "2030", "by this year")
>>> print(field(year, "2030", {}, "zh"))
<label class="field"><span class="name">年份</span> <small>该年或之前到期的目标</small>
<input name="year" value="2030" required inputmode="numeric" pattern="[0-9]{4}" size="6"></label>
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from kg.catalogue import Param, StoredQuery
from kg.catalogue.params import items
from kg.html import i18n


@dataclass(frozen=True)
class Choice:
    """One entity a form can offer: its IRI, short value and labels."""

    iri: str
    value: str
    zh: str
    en: str
    group: str = ""  # a sector's domain (its IRI), for grouping

    def label(self, lang: str) -> str:
        """The label in a language: in Chinese the Chinese one alone (Chinese first; the
        English one is still found by the pickers' filter), in English the Chinese one
        after it when they differ.

        >>> Choice("i", "beijing", "北京", "Beijing").label("en")
        'Beijing · 北京'
        >>> Choice("i", "beijing", "北京", "Beijing").label("zh")
        '北京'
        """
        if lang == "zh" and self.zh:
            return self.zh
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        first = first or second or self.value
        return f"{first} · {second}" if second and second != first else first


def current(query: StoredQuery, raw: Mapping[str, str]) -> dict[str, str]:
    """The value of each parameter (lang excluded): from the URL, else its default.

    >>> from kg.catalogue import Catalogue
    >>> current(Catalogue.load().get("region-sectors"), {"region": "beijing", "x": "1"})
    {'region': 'beijing'}
    """
    return {p.name: raw.get(p.name) or p.default or "" for p in query.params if p.type != "lang"}


def api_params(query: StoredQuery, values: Mapping[str, str], lang: str) -> dict[str, str]:
    """The parameters to send to ``/queries/NAME``: the non-empty values and the language.

    >>> from kg.catalogue import Catalogue
    >>> api_params(Catalogue.load().get("region-sectors"), {"region": "beijing"}, "zh")
    {'region': 'beijing', 'lang': 'zh'}
    """
    out = {k: v for k, v in values.items() if v}
    out.update({p.name: lang for p in query.params if p.type == "lang"})
    return out


def caption(param: Param, lang: str, query: str = "") -> str:
    """A parameter's caption and hint in the page's language (from :mod:`kg.html.i18n`;
    the declared name and description when the table has no word for them).

    >>> caption(Param("sector1", "sector", True, None, None, "x"), "zh")
    '<span class="name">领域一</span> <small>第一个领域(含其下位领域)</small>'
    """
    name = i18n.first([f"param_{param.name}", f"type_{param.type}"], lang, param.name)
    hint = i18n.first([f"hint_{query}.{param.name}", f"hint_{param.name}"], lang,
                      param.description)
    small = f" <small>{escape(hint)}</small>" if hint else ""
    return f'<span class="name">{escape(name)}</span>{small}'


def ordered(options: list[Choice], lang: str) -> list[Choice]:
    """Choices in the page's order: by pinyin in Chinese, alphabetically in English.

    >>> [c.value for c in ordered([Choice("", "sh", "上海", "Shanghai"),
    ...                            Choice("", "bj", "北京", "Beijing")], "zh")]
    ['bj', 'sh']
    """
    return sorted(options, key=lambda c: i18n.sort_key(c.label(lang), lang))


def _option(choice: Choice, value: str, lang: str) -> str:
    chosen = " selected" if choice.value == value else ""
    search = " ".join([choice.zh, " ".join(i18n.pinyin(choice.zh)).replace(" ", ""),
                       choice.en, choice.value]).lower()
    return (f'<option value="{escape(choice.value)}"{chosen} data-search="{escape(search)}">'
            f"{escape(choice.label(lang))}</option>")


def _select(param: Param, value: str, options: list[Choice], lang: str,
            groups: Mapping[str, str]) -> str:
    nothing = i18n.text("no_sector" if param.many else "any", lang)
    empty = f'<option value="">{escape(nothing)}</option>'
    items = [] if param.required else [empty]
    known = {c.value for c in options}
    if value and value not in known:
        items.append(f'<option value="{escape(value)}" selected>{escape(value)}</option>')
    grouped = param.type == "sector" and any(c.group for c in options)
    if not grouped:
        items += [_option(c, value, lang) for c in ordered(options, lang)]
    else:
        by_group: dict[str, list[Choice]] = {}
        for choice in options:
            by_group.setdefault(choice.group, []).append(choice)
        names = {g: groups.get(g) or i18n.text("domain_other", lang) for g in by_group}
        for group in sorted(by_group, key=lambda g: (g == "", i18n.sort_key(names[g], lang))):
            inner = "".join(_option(c, value, lang) for c in ordered(by_group[group], lang))
            items.append(f'<optgroup label="{escape(names[group])}">{inner}</optgroup>')
    kind = f' data-picker="{escape(param.type)}"' if param.type == "sector" else ""
    return f'<select name="{escape(param.name)}"{kind}>{"".join(items)}</select>'


def _input(param: Param, value: str) -> str:
    extra = {
        "year": ' inputmode="numeric" pattern="[0-9]{4}" size="6"',
        "integer": ' type="number"',
        "iri": f' list="list-{escape(param.name)}" size="60"',
        "string": ' type="search" size="30"',
    }.get(param.type, "")
    required = " required" if param.required else ""
    return f'<input name="{escape(param.name)}" value="{escape(value)}"{required}{extra}>'


def _datalist(param: Param, options: list[Choice], lang: str) -> str:
    items = "".join(f'<option value="id:plan/{escape(c.value)}">{escape(c.label(lang))}</option>'
                    for c in options)
    return f'<datalist id="list-{escape(param.name)}">{items}</datalist>'


def _many(param: Param, value: str, choices: Mapping[str, list[Choice]], lang: str,
          query: str) -> str:
    """A list parameter: a drop-down per value given and an empty one, each named after the
    parameter (the form sends them all; the server joins them), and a button (shown by the
    page's script) that adds another drop-down."""
    groups = {c.iri: c.label(lang) for c in choices.get("domain", [])}
    options = list(choices.get(param.type, []))
    values = [*items(param, value), ""]
    name = i18n.first([f"param_{param.name}", f"type_{param.type}"], lang, param.name)
    selects = "".join(
        '<div class="many-item">' + _select(param, v, options, lang, groups).replace(
            "<select ", f'<select aria-label="{escape(name)} {n}" ', 1) + "</div>"
        for n, v in enumerate(values, start=1))
    add = (f'<button type="button" class="add-item" hidden data-for="{escape(param.name)}">'
           f'+ {escape(i18n.text("js_add_sector", lang))}</button>')
    return (f'<fieldset class="field many" data-list="{escape(param.name)}"><legend>'
            f"{caption(param, lang, query)}</legend>{selects}{add}</fieldset>")


def field(param: Param, value: str, choices: Mapping[str, list[Choice]], lang: str,
          query: str = "") -> str:
    """One labelled form field for a parameter (sectors grouped by their domain; a list
    parameter as several drop-downs).

    >>> from kg.catalogue import Catalogue
    >>> many = Catalogue.load().get("regions-targeting-sectors").param("sectors")
    >>> html = field(many, "6g,metaverse", {}, "zh")
    >>> html.count('<select aria-label="更多领域 '), '添加领域' in html
    (3, True)
    """
    if param.many:
        return _many(param, value, choices, lang, query)
    if param.type in ("region", "sector"):
        groups = {c.iri: c.label(lang) for c in choices.get("domain", [])}
        control = _select(param, value, list(choices.get(param.type, [])), lang, groups)
    else:
        control = _input(param, value)
        if param.type == "iri":
            control += _datalist(param, list(choices.get("plan", [])), lang)
    return f'<label class="field">{caption(param, lang, query)}\n{control}</label>'


def form(query: StoredQuery, values: Mapping[str, str], choices: Mapping[str, list[Choice]],
         lang: str) -> str:
    """The whole form: one field per parameter, the language, a run button.

    >>> from kg.catalogue import Catalogue
    >>> html = form(Catalogue.load().get("targets-by-year"), {"year": "2030"}, {}, "zh")
    >>> 'name="year" value="2030"' in html and '<option value="zh" lang="zh" selected>' in html
    True
    """
    fields = [field(p, values.get(p.name, ""), choices, lang, query.name)
              for p in query.params if p.type != "lang"]
    return (
        f'<form class="question" method="get" action="/ui/queries/{escape(query.name)}">'
        + "".join(fields) + language_field(lang)
        + f'<button type="submit">{escape(i18n.text("run", lang))}</button></form>'
    )


def language_field(lang: str) -> str:
    """The language of the page and of the labels in the results.

    >>> '<option value="en" lang="en" selected>English</option>' in language_field("en")
    True
    """
    options = "".join(f'<option value="{code}" lang="{code}"{" selected" if code == lang else ""}>'
                      f"{escape(i18n.NAMES[code])}</option>" for code in i18n.LANGS)
    caption = escape(i18n.text("labels_lang", lang))
    return (f'<label class="field"><span class="name">{caption}</span>\n'
            f'<select name="lang">{options}</select></label>')
