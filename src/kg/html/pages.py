"""HTML for people: one base template, small renderers, everything escaped.

Pages speak one language at a time (``?lang=zh`` or ``?lang=en``, English
without it): labels in that language, the other one beside the heading, and
every link to another page keeps the language the URL named (:class:`View`).
They take plain data (from :mod:`kg.engine.describe`) and a view, never a request.

>>> local("https://w3id.org/future-industries/id/region/beijing")
'/id/region/beijing'
>>> local("https://w3id.org/future-industries/ontology#Plan")
'/ontology#Plan'
>>> local("https://w3id.org/future-industries/division/110000#geo")
'/division/110000#geo'
>>> label_text({"zh": "北京", "en": "Beijing"}, "x")
'北京 · Beijing'
>>> target("javascript:alert(3)") is None, target("HTTPS://example.org/x")
(True, 'HTTPS://example.org/x')
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from kg import settings
from kg.html import i18n, reader
from kg.html.shell import STATIC, Alternate, render
from kg.html.view import View
from kg.rdf.jsonld import shorten
from kg.rdf.void import of_project
from kg.vocab import (
    BASE,
    FI,
    ID_BASE,
    ONTOLOGY_IRI,
    RDF,
    RDFS,
    SKOS,
)

HIDDEN = {RDF.type.value, RDFS.label.value, SKOS.prefLabel.value, SKOS.altLabel.value}
# notes said in both languages: the page shows the one in its language (else the other)
ONE_LANGUAGE = {SKOS.editorialNote.value}
STYLE = f'<link rel="stylesheet" href="{STATIC}style.css">'
LINKABLE = ("http://", "https://")  # the only schemes an IRI in the data may link to


def local(iri: str) -> str:
    """Where this server shows an IRI: every IRI under the project's base (/id/…,
    /ontology#…, /division/…, /graph/…, /build/…) at its own path, others as they are."""
    if iri.startswith(BASE):
        return "/" + iri[len(BASE):]
    return iri


def target(iri: str) -> str | None:
    """Where a link to an IRI may go: this site's own path for its IRIs, the IRI itself when
    it is http(s); None for any other scheme (``javascript:``, ``data:``, ``vbscript:``,
    ``file:``, ``urn:``…), which pages show as text, never as a link."""
    where = local(iri)
    if where.startswith("/") and not where.startswith("//"):
        return where
    return where if where.lower().startswith(LINKABLE) else None


def label_text(labels: dict[str, str], fallback: str) -> str:
    """Chinese and English labels side by side (either alone, else the fallback)."""
    parts = [labels[lang] for lang in ("zh", "en") if lang in labels]
    if not parts and labels:
        parts = [next(iter(labels.values()))]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return " · ".join(parts) or fallback


def label_in(labels: dict[str, str], lang: str, fallback: str) -> str:
    """The label in a language, else in the other, else any, else the fallback.

    >>> label_in({"zh": "北京", "en": "Beijing"}, "zh", "x"), label_in({}, "zh", "x")
    ('北京', 'x')
    """
    other = "en" if lang == "zh" else "zh"
    return labels.get(lang) or labels.get(other) or next(iter(labels.values()), "") or fallback


def link(iri: str, labels: dict[str, str] | None = None, view: View | None = None) -> str:
    """An IRI as a link, labelled in the page's language when labels are known."""
    v = view or View()
    known = labels or {}
    text = label_in(known, v.lang, i18n.term(shorten(iri), v.lang))
    other = known.get(v.other, "")
    tip = f"{other} — {iri}" if other and other != text else iri
    where = target(iri)
    if where is None:  # javascript:, data:… : shown, never followed
        return f'<span class="iri" title="{escape(tip)}">{escape(text)}</span>'
    return f'<a href="{escape(v.href(where))}" title="{escape(tip)}">{escape(text)}</a>'


def value(term: tuple[str, ...], labels: dict[str, str] | None = None,
          view: View | None = None) -> str:
    """A term (as :func:`kg.engine.describe.term` gives it) in HTML."""
    if term[0] == "iri":
        return link(term[1], labels, view)
    if term[0] == "bnode":
        return f"<code>_:{escape(term[1])}</code>"
    text, lang = term[1], term[2]  # no @zh or xsd:… tags: the lang attribute says it
    attr = f' lang="{escape(lang)}"' if lang else ""
    return f"<span{attr}>{escape(text)}</span>"


def heading(labels: dict[str, str], iri: str, view: View | None = None) -> str:
    v = view or View()
    main = label_in(labels, v.lang, shorten(iri))
    other = labels.get(v.other, "")
    sub = (f'<span class="sub" lang="{v.other}">{escape(other)}</span>'
           if other and other != main else "")
    return f"<h1>{escape(main)}{sub}</h1>\n<p class=\"iri\">{escape(iri)}</p>"


def _grouped(rows: Iterable[tuple[str, dict[str, str], str]]) -> list[tuple[str, dict[str, str],
                                                                              list[str]]]:
    """(predicate, its labels, HTML of one value) rows gathered per predicate, in order."""
    out: dict[str, tuple[str, dict[str, str], list[str]]] = {}
    for pred, plabels, html in rows:
        out.setdefault(pred, (pred, plabels, []))[2].append(html)
    return list(out.values())


def _table(groups: list[tuple[str, dict[str, str], list[str]]], view: View, cls: str = "") -> str:
    rows = "".join(
        f'<tr><th>{link(p, pl, view)}</th><td><ul class="values{" many" if len(vs) > 3 else ""}">'
        + "".join(f"<li>{h}</li>" for h in vs) + "</ul></td></tr>"
        for p, pl, vs in groups
    )
    return f'<table class="facts {cls}">{rows}</table>'


def in_language(facts: list[tuple[Any, ...]], lang: str) -> list[tuple[Any, ...]]:
    """The facts, with the notes of :data:`ONE_LANGUAGE` in one language only: the page's
    when the entity has one in it, else all of them (the other language).

    >>> note = SKOS.editorialNote.value
    >>> facts = [(note, {}, ("literal", "Inferred.", "en"), {}, False),
    ...          (note, {}, ("literal", "推断。", "zh"), {}, False)]
    >>> [f[2][1] for f in in_language(facts, "zh")], len(in_language(facts[:1], "zh"))
    (['推断。'], 1)
    """
    said = {f[0] for f in facts if f[0] in ONE_LANGUAGE and f[2][0] == "literal"
            and f[2][2] == lang}
    return [f for f in facts if f[0] not in said or f[2][0] != "literal" or f[2][2] == lang]


def _facts(facts: list[tuple[Any, ...]], view: View) -> tuple[str, str]:
    """The main facts table and the inferred alignments (non-fi: properties) table."""
    facts = in_language(facts, view.lang)
    def order(f: tuple[Any, ...]) -> tuple[int, str, int]:
        own = 0 if f[0].startswith(FI.base) else 1
        lang = f[2][2] if f[2][0] == "literal" else ""
        return (own, label_in(f[1], view.lang, shorten(f[0])), 0 if lang == view.lang else 1)

    main: list[tuple[str, dict[str, str], str]] = []
    aligned: list[tuple[str, dict[str, str], str]] = []
    for pred, plabels, obj, olabels, inferred in sorted(facts, key=order):
        if pred in HIDDEN or _external(obj):  # external links have their own section
            continue
        html = value(obj, olabels, view)
        if inferred:
            html = f'<span class="inferred" title="{escape(view.word("inferred"))}">{html}</span>'
        (aligned if inferred and not pred.startswith(FI.base) else main).append(
            (pred, plabels, html))
    return _table(_grouped(main), view), _table(_grouped(aligned), view, "aligned")


def _external(obj: tuple[str, ...]) -> bool:
    return obj[0] == "iri" and not obj[1].startswith(BASE)


def _incoming(data: dict[str, Any], view: View) -> str:
    """Who links here, leaving out what the facts already show (inverse properties)."""
    shown = {f[2][1] for f in data["facts"] if f[2][0] == "iri"}
    own = {s for s, _sl, p, _pl in data["incoming"] if p.startswith(FI.base)}
    kept = [(s, sl, p, pl) for s, sl, p, pl in data["incoming"]
            if s not in shown and (p.startswith(FI.base) or s not in own)]
    kept.sort(key=lambda r: (not r[2].startswith(FI.base), label_in(r[3], view.lang, r[2])))
    rows = [(p, pl, link(s, sl, view)) for s, sl, p, pl in kept]
    groups = [(p, pl, values if len(values) <= settings.INCOMING_LISTED
               else [_counted(data["iri"], p, [s for s, _sl, q, _pl in kept if q == p], view)])
              for p, pl, values in _grouped(rows)]
    return _table(groups, view) if rows else ""


def _counted(iri: str, pred: str, subjects: list[str], view: View) -> str:
    """Many links of one property: how many of each kind (the IRI's path: plan, target…),
    and a link to the SPARQL editor with the query that lists them all.

    >>> html = _counted(ID_BASE + "source/a", "http://e/p", [ID_BASE + "plan/x",
    ...                 ID_BASE + "plan/y", ID_BASE + "target/z"], View("en", True))
    >>> html.split("<a")[0]
    '3: Plans 2 · Targets 1 — '
    """
    kinds: dict[str, int] = {}
    for subject in subjects:
        kind = subject[len(ID_BASE):].split("/")[0] if subject.startswith(ID_BASE) else ""
        kinds[kind] = kinds.get(kind, 0) + 1
    def word(kind: str) -> str:
        return i18n.first(["kind_" + kind.replace("-", "_")], view.lang, kind or "…")

    counts = " · ".join(f"{escape(word(kind))} {n}"
                        for kind, n in sorted(kinds.items(), key=lambda kn: (-kn[1], kn[0])))
    label = f'OPTIONAL {{ ?s <{RDFS.label.value}> ?label FILTER(LANG(?label) = "{view.lang}") }}'
    query = f"SELECT ?s ?label WHERE {{\n  ?s <{pred}> <{iri}> .\n  {label}\n}}\nORDER BY ?s\n"
    href = view.href("/ui/sparql", query=query)
    return (f"{len(subjects)}: {counts} — "
            f'<a class="list-all" href="{escape(href)}">{escape(view.word("list_in_editor"))}</a>')


def _quotes(data: dict[str, Any], view: View) -> str:
    items = [
        f'<blockquote lang="zh">{escape(text)}'
        + (f"<cite>{link(about, labels, view)}</cite>" if about != data["iri"] else "")
        + "</blockquote>"
        for about, labels, text in data["quotes"]
    ]
    shown, rest = items[:6], items[6:]
    more = (f"<details><summary>{len(rest)} {escape(view.word('more'))}</summary>"
            f"{''.join(rest)}</details>" if rest else "")
    return f"<h2>{escape(view.word('quotes'))}</h2>{''.join(shown)}{more}"


def entity_page(data: dict[str, Any], build: str, alternates: list[Alternate],
                view: View | None = None) -> bytes:
    """An entity: labels, types, facts, source quotes, incoming links, links out."""
    v = view or View()
    iri = data["iri"]
    kinds = {t for t, _labels in data["types"]}
    title = label_in(data["labels"], v.lang, shorten(iri))
    parts = [reader.breadcrumbs(kinds, title, v), heading(data["labels"], iri, v)]
    if data.get("reading"):  # a source: its text first, its spans highlighted
        parts.append(reader.reader(data, v))
    parts.append(reader.facts_section(data.get("evidence") or [], kinds, v))
    if data["types"]:
        types = "".join(link(t, labels, v) for t, labels in data["types"] if labels)
        parts.append(f'<p class="types">{types}</p>')
    also = [f'<span lang="{escape(f[2][2])}">{escape(f[2][1])}</span>' if f[2][2] else
            escape(f[2][1]) for f in data["facts"] if f[0] == SKOS.altLabel.value]
    if also:
        parts.append(f'<p class="also">{escape(v.word("also"))}: {" · ".join(also)}</p>')
    if any(f[4] for f in data["facts"]):
        parts.append(f'<p class="legend-note"><span class="inferred">{escape(v.word("italic"))}'
                     "</span></p>")
    main, aligned = _facts(data["facts"], v)
    parts.append(f"<h2>{escape(v.word('facts'))}</h2>{main}")
    if data["quotes"]:
        parts.append(_quotes(data, v))
    incoming = _incoming(data, v)
    if incoming:
        parts.append(f"<h2>{escape(v.word('incoming'))}</h2>{incoming}")
    if data["links_out"]:
        items = "".join(
            f"<li>{link(p, pl, v)}: {_out(o[1])}</li>" for p, pl, o, _ol, _inf in data["links_out"]
        )
        parts.append(f'<h2>{escape(v.word("links_out"))}</h2><ul class="plain">{items}</ul>')
    if "<tr>" in aligned:
        parts.append(f"<details class=\"aligned\"><summary>{escape(v.word('aligned'))}</summary>"
                     f"{aligned}</details>")
    for node, facts in data.get("parts", []):  # its hash IRIs (…#geo): answered here too
        table, _ = _facts(facts, v)
        anchor = escape(node.rpartition("#")[2])
        parts.append(f'<section id="{anchor}"><h2>{escape(shorten(node))}</h2>{table}</section>')
    parts.append(licence(v))
    return render(v.built(build), title, "\n".join(p for p in parts if p), head=STYLE,
                  body_class="ld", alternates=alternates)


def licence(view: View) -> str:
    """The project's data licence (kg.toml), as a visible link (``rel="license"``).

    >>> print(licence(View("zh")))
    <p class="licence">许可协议: <a rel="license" href="https://...by/4.0/">CC BY 4.0</a></p>
    """
    about = of_project()
    if not about.licence:
        return ""
    return (f'<p class="licence">{escape(view.word("licence"))}: <a rel="license" '
            f'href="{escape(about.licence)}">{escape(about.licence_name)}</a></p>')


Facts = list[tuple[str, tuple[str, ...]]]  # (predicate, object as kg.engine.describe.term)


def description_page(data: dict[str, Any], build: str, alternates: list[Alternate],
                     view: View | None = None) -> bytes:
    """A description in RDF as a page: ``data["title"]`` (per language), an optional
    ``intro`` (per language) and ``links`` (label, href), then one section per subject
    (``data["subjects"]``: its term and facts); a blank node met once as an object
    (``data["nested"]``, by id) is shown inside its subject's table."""
    v = view or View()
    title = label_in(data["title"], v.lang, "")
    parts = [f"<h1>{escape(title)}</h1>"]
    if data.get("intro"):
        parts.append(f'<p class="description">{escape(label_in(data["intro"], v.lang, ""))}</p>')
    if data.get("links"):
        items = "".join(f'<li><a href="{escape(href)}">{escape(label)}</a></li>'
                        for label, href in data["links"])
        parts.append(f'<ul class="plain">{items}</ul>')
    nested = data.get("nested", {})
    for subject, facts in data["subjects"]:
        anchor = subject[1].rpartition("#")[2] if "#" in subject[1] else ""
        ident = f' id="{escape(anchor)}"' if anchor else ""
        head = value(subject, None, v)
        parts.append(f"<section{ident}><h2>{head}</h2>{_rdf_table(facts, nested, v)}</section>")
    parts.append(licence(v))
    return render(v.built(build), title, "\n".join(parts), head=STYLE, body_class="ld",
                  alternates=alternates)


def _rdf_table(facts: Facts, nested: dict[str, Facts], view: View) -> str:
    rows: list[tuple[str, dict[str, str], str]] = [
        (p, {}, _object(o, nested, view)) for p, o in facts]
    return _table(_grouped(rows), view)


def _object(term: tuple[str, ...], nested: dict[str, Facts], view: View) -> str:
    if term[0] == "bnode" and term[1] in nested:
        inner = "".join(f"<li>{link(p, None, view)} {value(o, None, view)}</li>"
                        for p, o in nested[term[1]])
        return f'<ul class="plain nested">{inner}</ul>'
    return value(term, None, view)


def dumps_page(dumps: list[dict[str, Any]], build: str, view: View | None = None) -> bytes:
    """/dumps/: every dump file with its size and SHA-256, and SHA256SUMS."""
    v = view or View()
    rows = "".join(
        f'<tr><td><a href="{escape(d["filename"])}"><code>{escape(d["filename"])}</code></a>'
        f'</td><td>{d["size"]}</td><td><code>{escape(d["sha256"])}</code></td></tr>'
        for d in dumps)
    body = (f"<h1>{escape(v.word('dumps'))}</h1><p>{escape(v.word('dumps_intro'))}</p>"
            f'<p><a href="SHA256SUMS"><code>SHA256SUMS</code></a> · '
            f'<a href="/catalog">DCAT</a></p>'
            f'<table class="facts dumps"><tr><th>{escape(v.word("file"))}</th>'
            f'<th>{escape(v.word("bytes"))}</th><th>SHA-256</th></tr>{rows}</table>'
            + licence(v))
    return render(v.built(build), v.word("dumps"), body, head=STYLE, body_class="ld")


def graph_page(iri: str, triples: int, dumps: list[str], build: str,
               alternates: list[Alternate], view: View | None = None) -> bytes:
    """A named graph: its IRI, size, its content in each format and its dumps."""
    v = view or View()
    links = [(label, href) for label, href, _ in alternates] + [(f, f"/dumps/{f}") for f in dumps]
    items = "".join(f'<li><a href="{escape(h)}">{escape(label)}</a></li>' for label, h in links)
    body = (f"<h1>{escape(shorten(iri))}</h1><p class=\"iri\">{escape(iri)}</p>"
            f"<p>{triples} {escape(v.word('triples'))}</p>"
            f"<h2>{escape(v.word('graph_content'))}</h2><ul class=\"plain\">{items}</ul>"
            + licence(v))
    return render(v.built(build), shorten(iri), body, head=STYLE, body_class="ld",
                  alternates=alternates)


def _out(iri: str) -> str:
    """A link out, written in full; as text when its scheme may not be linked to.

    >>> _out("javascript:alert(3)")
    '<span class="iri">javascript:alert(3)</span>'
    """
    where = target(iri)
    if where is None:
        return f'<span class="iri">{escape(iri)}</span>'
    return f'<a href="{escape(where)}">{escape(iri)}</a>'


def ontology_page(data: dict[str, Any], build: str, alternates: list[Alternate],
                  view: View | None = None) -> bytes:
    """The ontology: its classes and properties with labels, comments, domains, ranges."""
    v = view or View()
    head = data["ontology"]
    names = head.get("labels") or {lang: i18n.text("ontology", lang) for lang in i18n.LANGS}
    parts = [heading(names, head.get("iri") or ONTOLOGY_IRI, v)]
    for key in ("classes", "object_properties", "datatype_properties"):
        parts.append(f'<h2>{escape(v.word(key))}</h2><table class="facts ontology">')
        for entry in data[key]:
            anchor = escape(entry["iri"].rpartition("#")[2])
            extra = [
                f"{name} {', '.join(value(t, None, v) for t in entry.get(field, []))}"
                for field, name in (("subClassOf", "⊑"), ("domain", "domain"), ("range", "range"))
                if entry.get(field)
            ]
            comment = " ".join(escape(t[1]) for t in entry.get("comment", [])
                               if t[2] in (v.lang, ""))
            comment = comment or " ".join(escape(t[1]) for t in entry.get("comment", []))
            parts.append(
                f'<tr id="{anchor}"><th>{link(entry["iri"], entry["labels"], v)}</th>'
                f"<td>{comment}<br><small>{' · '.join(extra)}</small></td></tr>"
            )
        parts.append("</table>")
    parts.append(licence(v))
    return render(v.built(build), v.word("ontology"), "\n".join(parts), head=STYLE,
                  body_class="ld", alternates=alternates)
