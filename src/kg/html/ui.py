"""The UI pages: home, the question catalogue, one question, search, the SPARQL editor.

Pages are rendered here from plain data and a :class:`~kg.html.view.View` (never a
request: :mod:`kg.http.ui` gathers what they show); results are fetched by the
page's script from the public API (``/queries/NAME?format=json``), the same URLs
the download links give, and drawn in the browser.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from html import escape
from urllib.parse import urlencode

from kg import settings
from kg.catalogue import Catalogue, Param, StoredQuery
from kg.catalogue.params import check_form, items
from kg.html import examples, forms, i18n
from kg.html.forms import Choice
from kg.html.pages import licence, target
from kg.html.shell import STATIC, render, script
from kg.html.view import View
from kg.rdf import export, formats
from kg.rdf.void import of_project

SEARCH_QUERY = "search-labels"
HEADLINE = "regions-targeting-sectors"  # the featured question shown first


def title(query: StoredQuery, lang: str) -> str:
    """A question's title in a language.

    >>> title(Catalogue.load().get("plans-timeline"), "zh")
    '按时间排列的政策文件'
    """
    return query.title.get(lang) or query.title["en"]


def description(query: StoredQuery, lang: str) -> str:
    """A question's description in a language (English when there is no Chinese one).

    >>> description(Catalogue.load().get("plans-timeline"), "en").split(":")[0]
    'Every plan with its issue date (only as precise as the article'
    """
    return query.description_zh if lang == "zh" and query.description_zh else query.description


def view_name(view: str, lang: str) -> str:
    """The name of a view in a language.

    >>> view_name("matrix", "zh")
    '矩阵'
    """
    key = f"view_{view}"
    return i18n.text(key, lang) if i18n.known(key) else view


def tag_name(tag: str, lang: str) -> str:
    """A question's tag in a language.

    >>> tag_name("target", "zh"), tag_name("data quality", "en")
    ('目标', 'data quality')
    """
    return i18n.first([f"tag_{tag}"], lang, tag)


def _question_item(ctx: View, query: StoredQuery) -> str:
    """A question in a list: title (link), the other language's title, view and tags."""
    other = i18n.OTHER[ctx.lang]
    tags = "".join(f'<span class="tag">{escape(tag_name(t, ctx.lang))}</span>'
                   for t in query.tags)
    return (
        f'<li class="question-item">'
        f'<a href="{escape(ctx.href("/ui/queries/" + query.name))}">'
        f"{escape(title(query, ctx.lang))}</a>"
        f'<span class="alt" lang="{other}">{escape(title(query, other))}</span>'
        f'<span class="view view-{escape(query.view)}">{escape(view_name(query.view, ctx.lang))}'
        f"</span>{tags}</li>"
    )


def featured(cat: Catalogue) -> list[StoredQuery]:
    """The featured questions (those whose header gives a headline), headline one first.

    >>> [q.name for q in featured(Catalogue.load())][0]
    'regions-targeting-sectors'
    """
    found = [cat.get(n) for n in cat.names() if cat.get(n).featured]
    return sorted(found, key=lambda q: (q.name != HEADLINE, q.name))


def _featured_item(ctx: View, query: StoredQuery) -> str:
    """A featured question: its plain-words headline, a link straight to its answer."""
    other = i18n.OTHER[ctx.lang]
    head = query.featured.get(ctx.lang) or title(query, ctx.lang)
    return (f'<li class="featured-item"><a class="featured-link" '
            f'href="{escape(ctx.href("/ui/queries/" + query.name))}">{escape(head)}</a>'
            f'<span class="alt" lang="{other}">{escape(query.featured.get(other, ""))}</span>'
            f'<span class="view view-{escape(query.view)}">'
            f"{escape(view_name(query.view, ctx.lang))}</span></li>")


def ordered_questions(ctx: View, cat: Catalogue) -> list[StoredQuery]:
    """Every question, featured first, then the rest by title (pinyin in Chinese)."""
    first = featured(cat)
    rest = [cat.get(n) for n in cat.names() if not cat.get(n).featured]
    return first + sorted(rest, key=lambda q: i18n.sort_key(title(q, ctx.lang), ctx.lang))


def _chips(ctx: View, items: list[Choice]) -> str:
    """Regions or sectors as links to their pages (as text when their IRI may not be
    linked to: :func:`kg.html.pages.target`)."""
    links = "".join(_chip(ctx, c.iri, c.label(ctx.lang)) for c in forms.ordered(items, ctx.lang))
    return f'<p class="chips">{links}</p>'


def _chip(ctx: View, iri: str, label: str) -> str:
    where = target(iri)
    if where is None:
        return f'<span class="chip">{escape(label)}</span>'
    return f'<a class="chip" href="{escape(ctx.href(where))}">{escape(label)}</a>'


def home(ctx: View, cat: Catalogue, found: Mapping[str, list[Choice]]) -> bytes:
    """/: what the graph holds and the ways into it."""
    t = i18n.text
    tops = "".join(_featured_item(ctx, q) for q in featured(cat))
    others = [q for q in ordered_questions(ctx, cat) if not q.featured]
    questions = "".join(_question_item(ctx, q) for q in others)
    body = f"""<section class="hero">
<h1>{escape(t("site", ctx.lang))}<span class="sub" lang="{i18n.OTHER[ctx.lang]}">{
escape(t("site", i18n.OTHER[ctx.lang]))}</span></h1>
<p class="tagline">{escape(t("tagline", ctx.lang))}</p>
{_search_form(ctx, big=True)}
</section>
<div class="columns">
<section><h2>{escape(t("featured", ctx.lang))}</h2><ul class="featured">{tops}</ul>
<h2>{escape(t("all_questions", ctx.lang))}</h2><p>{escape(t("ask_intro", ctx.lang))}</p>
<ul class="questions">{questions}</ul></section>
<section><h2>{escape(t("browse", ctx.lang))}</h2>
<h3>{escape(t("regions", ctx.lang))}</h3>{_chips(ctx, found["region"])}
<h3>{escape(t("sectors", ctx.lang))}</h3>{_chips(ctx, found["domain"])}
<h2>{escape(t("editor", ctx.lang))}</h2>
<p><a class="button" href="{escape(ctx.href("/ui/sparql"))}">{
escape(t("editor", ctx.lang))} →</a></p>
<h2>{escape(t("machines", ctx.lang))}</h2>{_machine_links(ctx.lang)}{licence(ctx)}</section>
</div>
<script type="application/ld+json">{dataset_jsonld()}</script>"""
    return render(ctx, t("home", ctx.lang), body, body_class="home")


def dataset_jsonld() -> str:
    """The dataset in schema.org terms (a ``schema:Dataset``, for search engines), as the
    JSON of the home page's ``<script type="application/ld+json">`` block (``</`` escaped).

    >>> doc = json.loads(dataset_jsonld())
    >>> doc["@type"], doc["license"]
    ('Dataset', 'https://creativecommons.org/licenses/by/4.0/')
    """
    about = of_project()
    downloads = [{"@type": "DataDownload", "contentUrl": f"/dumps/{export.filename(fmt)}",
                  "encodingFormat": formats.export_format(fmt).media_type}
                 for fmt in formats.DATASET_EXPORTS]
    doc = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": about.iri,
        "url": about.iri,
        "name": about.name("en"),
        "alternateName": [t for lang, t in about.title.items() if t != about.name("en")],
        "description": about.description.get("en") or next(iter(about.description.values())),
        "inLanguage": list(about.languages),
        "license": about.licence or None,
        "isAccessibleForFree": True,
        "publisher": {"@type": "Organization", "name": about.publisher},
        "distribution": downloads,
    }
    doc = {k: v for k, v in doc.items() if v is not None}
    return json.dumps(doc, ensure_ascii=False, indent=1).replace("</", "<\\/")


def _machine_links(lang: str) -> str:
    links = [("/sparql", "m_sparql"), ("/queries", "m_queries"), ("/openapi.json", "m_openapi"),
             ("/ontology", "m_ontology"), ("/.well-known/void", "m_void"),
             ("/catalog", "m_catalog"), ("/health", "m_health")]
    items = "".join(f'<li><a href="{h}"><code>{h}</code></a> {escape(i18n.text(k, lang))}</li>'
                    for h, k in links)
    return f'<ul class="plain">{items}</ul>'


def _search_form(ctx: View, big: bool = False) -> str:
    cls = "search big" if big else "search"
    return (f'<form class="{cls}" action="/ui/search" method="get" role="search">'
            f'<input type="search" name="q" value="{escape(ctx.query)}" '
            f'placeholder="{escape(i18n.text("search_hint", ctx.lang))}" '
            f'aria-label="{escape(i18n.text("search", ctx.lang))}">'
            f'<input type="hidden" name="lang" value="{ctx.lang}">'
            f'<button type="submit">{escape(i18n.text("search", ctx.lang))}</button></form>')


def questions(ctx: View, cat: Catalogue) -> bytes:
    """/ui/queries: every packaged question."""
    items = "".join(_question_item(ctx, q) for q in ordered_questions(ctx, cat))
    heading = escape(i18n.text("questions", ctx.lang))
    body = (f"<h1>{heading}</h1><p>{escape(i18n.text('ask_intro', ctx.lang))}</p>"
            f'<ul class="questions wide">{items}</ul>')
    return render(ctx, i18n.text("questions", ctx.lang), body)


def _downloads(api: str, lang: str) -> str:
    """Links to the same results in the API's formats."""
    sep = "&" if "?" in api else "?"
    links = " ".join(f'<a class="download" href="{escape(api + sep + "format=" + f)}" '
                     f'data-format="{f}">{f.upper()}</a>' for f in ("csv", "json", "tsv", "xml"))
    return f'<p class="downloads">{escape(i18n.text("download", lang))}: {links}</p>'


def question(ctx: View, query: StoredQuery, raw: Mapping[str, str],
             found: Mapping[str, list[Choice]]) -> bytes:
    """/ui/queries/NAME: the question's form, and its results drawn in its view (or, when a
    value in the URL is not allowed, what is allowed, in the page's language)."""
    values = forms.current(query, raw)
    other = i18n.OTHER[ctx.lang]
    problems = [p for p in (problem(ctx, param, values.get(param.name, ""), found)
                            for param in query.params) if p]
    answer = (f'<section id="results" class="results failed">{"".join(problems)}</section>'
              if problems else _results(ctx, query, values, paging(query, raw)))
    note = (f'<p class="note">{escape(i18n.text("federated_note", ctx.lang))}</p>'
            if query.federated else "")
    asked = all(values.get(p.name, "") == (p.default or "") for p in query.params
                if p.type != "lang")
    headline = query.featured.get(ctx.lang) if asked else ""  # the defaults' question only
    lead = f'<p class="headline">{escape(headline)}</p>' if headline else ""
    body = f"""<h1>{escape(title(query, ctx.lang))}<span class="sub" lang="{other}">{
escape(title(query, other))}</span></h1>{lead}
<p class="description">{escape(description(query, ctx.lang))}</p>{note}
{forms.form(query, values, found, ctx.lang)}
{answer}
{words(ctx.lang)}
<details class="sparql"><summary>{escape(i18n.text("source_query", ctx.lang))}</summary>
<pre><code>{escape(query.text)}</code></pre>
<p><a href="{escape(ctx.href("/ui/sparql", example=query.name))}">{
escape(i18n.text("open_editor", ctx.lang))} →</a></p></details>"""
    return render(ctx, title(query, ctx.lang), body, scripts=[script("question.js")])


def words(lang: str) -> str:
    """The words the page scripts show, in the page's language (a JSON block they read)."""
    data = json.dumps(i18n.script_words(lang), ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/json" id="kg-words">{data}</script>'


def problem(ctx: View, param: Param, value: str, found: Mapping[str, list[Choice]]) -> str:
    """What is wrong with a value given in the URL, in the page's language, with the values
    allowed ("" when it is fine or empty: the catalogue's own checks stay the judge); a
    list's values one by one."""
    if param.many:
        one = dataclasses.replace(param, many=False)
        return "".join(problem(ctx, one, item, found) for item in items(param, value))
    if not value or (param.type in ("lang", "string")
                     and len(value) <= settings.MAX_STRING_CHARS):
        return ""
    allowed = ""
    if param.type in ("region", "sector"):
        options = found.get(param.type, [])
        if not options or value in {c.value for c in options} or value in {
                c.iri for c in options}:
            return ""
        allowed = "、".join(c.label(ctx.lang) for c in forms.ordered(options, ctx.lang))
    else:
        try:
            check_form(param, value)
            return ""
        except ValueError:
            key = {"year": "bad_year", "integer": "bad_integer", "iri": "bad_iri"}.get(
                param.type, "bad_text")
            allowed = i18n.text(key, ctx.lang)
    name = i18n.first([f"param_{param.name}", f"type_{param.type}"], ctx.lang, param.name)
    return (f'<div class="error" role="alert"><p>{escape(i18n.text("bad_value", ctx.lang))}: '
            f"{escape(name)} “{escape(value)}”.</p><p>"
            f'{escape(i18n.text("allowed_values", ctx.lang))}: {escape(allowed)}</p></div>')


def paging(query: StoredQuery, raw: Mapping[str, str]) -> dict[str, str]:
    """The page a question's page asks the API for: ``limit``, ``offset`` and ``after`` (the
    token of a page by key) from its own URL, else :data:`kg.settings.UI_PAGE_SIZE` rows
    from the start; nothing for answers not paged.

    >>> paging(Catalogue.load().get("plans-timeline"), {"offset": "500", "lang": "zh"})
    {'limit': '500', 'offset': '500'}
    """
    if query.federated or query.form != "select":
        return {}
    page = {"limit": raw.get("limit") or str(settings.UI_PAGE_SIZE)}
    return page | {k: raw[k] for k in ("offset", "after") if raw.get(k)}


def _results(ctx: View, query: StoredQuery, values: dict[str, str],
             page: dict[str, str]) -> str:
    """Where question.js draws the results it fetches from the API URL given here (the
    page's rows; the download links give every row, up to the row cap)."""
    params = forms.api_params(query, values, ctx.lang)
    api = f"/queries/{query.name}?{urlencode(params | page)}"
    every = f"/queries/{query.name}?{urlencode(params | ({'limit': 'all'} if page else {}))}"
    hidden = [p.name for p in query.params if p.type == "lang" or values.get(p.name)]
    answer = "json" if query.form in ("select", "ask") else "ttl"
    paged = "".join(f' data-{k}="{escape(v)}"' for k, v in page.items())
    federated = ' data-federated="true"' if query.federated else ""
    return f"""<section id="results" class="results" data-api="{escape(api)}"{federated}
 data-view="{escape(query.view)}" data-format="{answer}"
 data-options="{escape(json.dumps(query.view_options))}" data-hide="{escape(json.dumps(hidden))}"
 data-lang="{ctx.lang}"{paged}{_evidence(ctx, query)}>
<h2>{escape(i18n.text("results", ctx.lang))}
<span class="view view-{escape(query.view)}">{escape(view_name(query.view, ctx.lang))}</span></h2>
<p class="status" role="status">{escape(i18n.text("loading", ctx.lang))}</p>
<div class="chart"></div><div class="table-wrap"></div>
{_downloads(every, ctx.lang)}
</section>"""


def _evidence(ctx: View, query: StoredQuery) -> str:
    """For a question whose rows rest on quoted facts: the page asks for them
    (``evidence=1``) and question.js shows them in each row, in these words."""
    if not query.evidence:
        return ""
    keys = ("evidence", "evidence_facts", "evidence_none", "in_source")
    words = json.dumps({k: i18n.text(k, ctx.lang) for k in keys}, ensure_ascii=False)
    return f' data-evidence="{escape(words)}"'


def not_found(ctx: View, message: str, cat: Catalogue) -> bytes:
    """The page of a question that is not there: the questions there are."""
    items = "".join(_question_item(ctx, cat.get(n)) for n in cat.names())
    body = (f"<h1>{escape(i18n.text('no_query', ctx.lang))}</h1>"
            f'<p class="error">{escape(message)}</p><ul class="questions wide">{items}</ul>')
    return render(ctx, i18n.text("no_query", ctx.lang), body)


def matching(cat: Catalogue, text: str) -> list[StoredQuery]:
    """The questions whose titles, headlines, descriptions or tags (in either language)
    hold the text (any case), featured ones first.

    >>> [q.name for q in matching(Catalogue.load(), "6g")][:1]
    ['regions-targeting-sectors']
    """
    needle = text.strip().casefold()
    if not needle:
        return []

    def words(q: StoredQuery) -> str:
        tags = [tag_name(t, lang) for t in q.tags for lang in i18n.LANGS]
        return " ".join([*q.title.values(), *q.featured.values(), q.description,
                         q.description_zh, *q.tags, *tags]).casefold()

    found = [cat.get(n) for n in cat.names() if needle in words(cat.get(n))]
    return sorted(found, key=lambda q: (not q.featured, q.name != HEADLINE, q.name))


def _found_questions(ctx: View, found: list[StoredQuery]) -> str:
    items = "".join(_featured_item(ctx, q) if q.featured else _question_item(ctx, q)
                    for q in found)
    inner = (f'<ul class="questions found">{items}</ul>' if found else
             f'<p class="hint">{escape(i18n.text("no_questions_found", ctx.lang))}</p>')
    return (f'<section class="found-questions"><h2>{escape(i18n.text("found_questions", ctx.lang))}'
            f"</h2>{inner}</section>")


def search(ctx: View, cat: Catalogue) -> bytes:
    """/ui/search?q=TEXT: the questions that mention the text, and names in either language
    (through the packaged search query)."""
    text = ctx.query.strip()
    api = (f"/queries/{SEARCH_QUERY}?"
           f"{urlencode({'text': text, 'lang': ctx.lang, 'limit': settings.UI_PAGE_SIZE})}")
    results = (_found_questions(ctx, matching(cat, text)) +
               f'<section id="search-results" class="results" data-api="{escape(api)}" '
               f'data-lang="{ctx.lang}"><h2>{escape(i18n.text("found_entities", ctx.lang))}</h2>'
               f'<p class="status" role="status">'
               f'{escape(i18n.text("loading", ctx.lang))}</p><div class="hits"></div></section>'
               + words(ctx.lang) if text else "")
    examples_ = " ".join(f'<a href="{escape(ctx.href("/ui/search", q=q))}">{escape(q)}</a>'
                         for q in ("量子", "quantum", "6G", "脑机接口", "hydrogen"))
    body = (f"<h1>{escape(i18n.text('search', ctx.lang))}</h1>{_search_form(ctx, big=True)}"
            f'<p class="hint">{escape(i18n.text("search_hint", ctx.lang))} — {examples_}</p>'
            + results)
    return render(ctx, i18n.text("search", ctx.lang) + (f": {text}" if text else ""), body,
                  scripts=[script("search.js")], body_class="search-page")


def editor(ctx: View, cat: Catalogue) -> bytes:
    """/ui/sparql: YASGUI on /sparql, with the packaged queries as examples."""
    items = "".join(
        f'<li><button type="button" data-example="{escape(q.name)}">'
        f"{escape(title(q, ctx.lang))}</button></li>" for q in ordered_questions(ctx, cat)
        if not q.federated)
    data = json.dumps(examples.examples(cat, ctx.lang), ensure_ascii=False).replace("</", "<\\/")
    body = f"""<h1>{escape(i18n.text("editor", ctx.lang))}</h1>
<div class="editor-layout">
<aside class="examples"><h2>{escape(i18n.text("examples", ctx.lang))}</h2>
<p class="hint">{escape(i18n.text("examples_hint", ctx.lang))}</p><ul>{items}</ul></aside>
<div id="yasgui"></div>
</div>
<script type="application/json" id="examples">{data}</script>{words(ctx.lang)}"""
    head = f'<link rel="stylesheet" href="{STATIC}vendor/yasgui/yasgui.min.css">'
    scripts = [f'<script src="{STATIC}vendor/yasgui/yasgui.min.js"></script>', script("editor.js")]
    return render(ctx, i18n.text("editor", ctx.lang), body, scripts=scripts, head=head,
                  body_class="wide")
