"""HTML for people: one base template, small renderers, everything escaped.

>>> local("https://w3id.org/future-industries/id/region/beijing")
'/id/region/beijing'
>>> local("https://w3id.org/future-industries/ontology#Plan")
'/ontology#Plan'
>>> label_text({"zh": "北京", "en": "Beijing"}, "x")
'北京 · Beijing'
>>> b"<h1>" in page("T", "<h1>T</h1>", "b1")
True
"""

from __future__ import annotations

from html import escape
from importlib import resources
from string import Template
from typing import Any

from kg.server.jsonld import shorten
from kg.vocab import ID_BASE, ONTOLOGY_IRI

_TEMPLATE = Template(
    resources.files("kg.server").joinpath("templates/base.html").read_text("utf-8")
)
Alternate = tuple[str, str, str]  # label, href, media type


def local(iri: str) -> str:
    """Where this server shows an IRI: /id/… and /ontology#… locally, others as they are."""
    if iri.startswith(ID_BASE):
        return "/id/" + iri[len(ID_BASE):]
    if iri.startswith(ONTOLOGY_IRI):
        return "/ontology" + iri[len(ONTOLOGY_IRI):]
    return iri


def label_text(labels: dict[str, str], fallback: str) -> str:
    """Chinese and English labels side by side (either alone, else the fallback)."""
    parts = [labels[lang] for lang in ("zh", "en") if lang in labels]
    if not parts and labels:
        parts = [next(iter(labels.values()))]
    if len(parts) == 2 and parts[0] == parts[1]:
        parts = parts[:1]
    return " · ".join(parts) or fallback


def page(title: str, body: str, build: str, alternates: list[Alternate] | None = None,
         lang: str = "zh") -> bytes:
    """A whole page in the base template."""
    alt = alternates or []
    head = "\n".join(
        f'<link rel="alternate" type="{escape(m)}" href="{escape(h)}">' for _, h, m in alt
    )
    links = " · ".join(f'<a href="{escape(h)}">{escape(label)}</a>' for label, h, _ in alt)
    return _TEMPLATE.substitute(
        lang=lang, title=escape(title), head=head, body=body, build=escape(build),
        alternates=f"<span>{links}</span>" if links else "",
    ).encode("utf-8")


def link(iri: str, labels: dict[str, str] | None = None) -> str:
    """An IRI as a link, labelled when labels are known."""
    text = label_text(labels or {}, shorten(iri))
    return f'<a href="{escape(local(iri))}" title="{escape(iri)}">{escape(text)}</a>'


def value(term: tuple[str, ...], labels: dict[str, str] | None = None) -> str:
    """A term (as :func:`kg.server.describe.term` gives it) in HTML."""
    if term[0] == "iri":
        return link(term[1], labels)
    if term[0] == "bnode":
        return f"<code>_:{escape(term[1])}</code>"
    text, lang, datatype = term[1], term[2], term[3]
    tag = f'<span class="lang">@{escape(lang)}</span>' if lang else ""
    if not lang and not datatype.endswith("#string"):
        tag = f'<span class="dt">{escape(shorten(datatype))}</span>'
    return f"{escape(text)}{tag}"


def heading(labels: dict[str, str], iri: str) -> str:
    zh, en = labels.get("zh"), labels.get("en")
    main = zh or en or shorten(iri)
    sub = f'<span class="en" lang="en">{escape(en)}</span>' if zh and en else ""
    return f"<h1>{escape(main)}{sub}</h1>\n<p class=\"iri\">{escape(iri)}</p>"


def entity_page(data: dict[str, Any], build: str, alternates: list[Alternate]) -> bytes:
    """An entity: labels, types, facts, source quotes, incoming links, links out."""
    iri = data["iri"]
    parts = [heading(data["labels"], iri)]
    if data["types"]:
        types = "".join(link(t, labels) for t, labels in data["types"])
        parts.append(f'<p class="types">{types}</p>')
    if data["quotes"]:
        parts.append("<h2>原文 · Source quotes</h2>")
        parts += [
            f'<blockquote lang="zh">{escape(text)}'
            + (f"<cite>{link(about, labels)}</cite>" if about != iri else "")
            + "</blockquote>"
            for about, labels, text in data["quotes"]
        ]
    parts.append("<h2>事实 · Facts</h2>" + _facts_table(data["facts"]))
    if data["incoming"]:
        rows = "".join(
            f"<tr><th>{link(p, pl)}</th><td>{link(s, sl)}</td></tr>"
            for s, sl, p, pl in data["incoming"]
        )
        parts.append(f"<h2>被引用 · Incoming links</h2><table>{rows}</table>")
    if data["links_out"]:
        items = "".join(
            f"<li>{link(p, pl)}: <a href=\"{escape(o[1])}\">{escape(o[1])}</a></li>"
            for p, pl, o, _ol, _inf in data["links_out"]
        )
        parts.append(f'<h2>外部链接 · Links out</h2><ul class="plain">{items}</ul>')
    title = label_text(data["labels"], shorten(iri))
    return page(title, "\n".join(parts), build, alternates)


def _facts_table(facts: list[tuple[Any, ...]]) -> str:
    rows = []
    for pred, plabels, obj, olabels, inferred in facts:
        cls = ' class="inferred" title="inferred"' if inferred else ""
        rows.append(f"<tr{cls}><th>{link(pred, plabels)}</th><td>{value(obj, olabels)}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def ontology_page(data: dict[str, Any], build: str, alternates: list[Alternate]) -> bytes:
    """The ontology: its classes and properties with labels, comments, domains, ranges."""
    head = data["ontology"]
    parts = [heading(head.get("labels", {}), head.get("iri") or ONTOLOGY_IRI)]
    sections = [("classes", "类 · Classes"), ("object_properties", "对象属性 · Object properties"),
                ("datatype_properties", "数据属性 · Datatype properties")]
    for key, title in sections:
        parts.append(f"<h2>{title}</h2><table>")
        for entry in data[key]:
            anchor = escape(entry["iri"].rpartition("#")[2])
            extra = [
                f"{name} {', '.join(value(t) for t in entry.get(field, []))}"
                for field, name in (("subClassOf", "⊑"), ("domain", "domain"), ("range", "range"))
                if entry.get(field)
            ]
            comment = " ".join(escape(t[1]) for t in entry.get("comment", []) if t[2] in ("en", ""))
            parts.append(
                f'<tr id="{anchor}"><th>{link(entry["iri"], entry["labels"])}</th>'
                f"<td>{comment}<br><small>{' · '.join(extra)}</small></td></tr>"
            )
        parts.append("</table>")
    return page("Ontology", "\n".join(parts), build, alternates, lang="en")


def home_page(build: str, names: list[tuple[str, str]]) -> bytes:
    """The front page: what this server offers."""
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in names)
    body = (
        "<h1>未来产业知识图谱<span class=\"en\">Future industries knowledge graph</span></h1>"
        "<p>China's future-industry (未来产业) plans as linked data, with a SPARQL endpoint.</p>"
        f'<ul class="plain">{items}</ul>'
    )
    return page("Home", body, build)
