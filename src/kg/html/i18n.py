"""Every word of the interface in both languages, in one table, and the page language.

The language travels in the URL (``?lang=zh`` or ``?lang=en``) so a link or a
shared URL opens in the same language; without it the pages are in English,
like the packaged queries' default labels.

>>> pick("zh"), pick("fr"), pick(None)
('zh', 'en', 'en')
>>> text("search", "zh")
'搜索'
>>> with_lang("/ui/queries/x?region=shandong&lang=en", "zh")
'/ui/queries/x?region=shandong&lang=zh'
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kg import settings

LANGS = settings.LANGS
DEFAULT = "en"
OTHER = {"en": "zh", "zh": "en"}
NAMES = {"en": "English", "zh": "中文"}

STRINGS: dict[str, dict[str, str]] = {
    "site": {"en": "Future industries knowledge graph", "zh": "未来产业知识图谱"},
    "tagline": {
        "en": "China's future-industry (未来产业) plans — regions, sectors, targets and actions "
              "— as linked data, with the source sentence behind every fact.",
        "zh": "中国各地未来产业政策:地区、领域、目标与行动,以关联数据呈现,每条事实附原文依据。",
    },
    "home": {"en": "Home", "zh": "首页"},
    "questions": {"en": "Questions", "zh": "问题"},
    "editor": {"en": "SPARQL editor", "zh": "SPARQL 编辑器"},
    "ontology": {"en": "Ontology", "zh": "本体"},
    "search": {"en": "Search", "zh": "搜索"},
    "search_short": {"en": "Search: 量子, quantum…", "zh": "搜索:量子、quantum…"},
    "search_hint": {"en": "Search names in Chinese or English, e.g. 量子 or quantum",
                    "zh": "按中文或英文名称搜索,如 量子 或 quantum"},
    "ask": {"en": "Ask a question", "zh": "提问"},
    "ask_intro": {"en": "Packaged questions with a form: pick a region, a sector or a year.",
                  "zh": "预置问题:选择地区、领域或年份即可查询。"},
    "browse": {"en": "Browse", "zh": "浏览"},
    "regions": {"en": "Regions", "zh": "地区"},
    "sectors": {"en": "Domains of future industry", "zh": "未来产业大类"},
    "machines": {"en": "For programs", "zh": "机器接口"},
    "run": {"en": "Run", "zh": "查询"},
    "any": {"en": "(any)", "zh": "(不限)"},
    "results": {"en": "Results", "zh": "结果"},
    "download": {"en": "Download", "zh": "下载"},
    "open_editor": {"en": "Open in the SPARQL editor", "zh": "在 SPARQL 编辑器中打开"},
    "share": {"en": "Link to these results", "zh": "本结果的链接"},
    "loading": {"en": "Loading…", "zh": "加载中…"},
    "examples": {"en": "Packaged queries", "zh": "预置查询"},
    "examples_hint": {"en": "Click one to load its text (parameters bound to their defaults "
                                "in a VALUES line) into the editor.",
                      "zh": "点击即可将查询文本载入编辑器(参数以 VALUES 行绑定为默认值)。"},
    "no_query": {"en": "No such question", "zh": "没有这个问题"},
    "view": {"en": "View", "zh": "视图"},
    "source_query": {"en": "The SPARQL", "zh": "SPARQL 查询"},
    "language": {"en": "Language", "zh": "语言"},
    "labels_lang": {"en": "Language of the labels", "zh": "标签语言"},
    "endpoint": {"en": "SPARQL endpoint", "zh": "SPARQL 端点"},
    # the linked-data pages
    "quotes": {"en": "Source quotes", "zh": "原文依据"},
    "facts": {"en": "Facts", "zh": "事实"},
    "incoming": {"en": "Linked from", "zh": "被引用"},
    "links_out": {"en": "Links out", "zh": "外部链接"},
    "aligned": {"en": "Also, by inference (alignments)", "zh": "推理所得(对齐)"},
    "also": {"en": "Also called", "zh": "又称"},
    "inferred": {"en": "inferred", "zh": "推理所得"},
    "more": {"en": "more", "zh": "更多"},
    "italic": {"en": "Italic: inferred by the reasoner from the curated facts",
               "zh": "斜体:由推理机根据人工整理的事实推出"},
    "licence": {"en": "Licence", "zh": "许可协议"},
    "formats": {"en": "Machine formats", "zh": "机器可读格式"},
    "triples": {"en": "triples", "zh": "条三元组"},
    "dumps": {"en": "Dumps", "zh": "数据转储"},
    "dumps_intro": {"en": "Every dump of this build, as `kg export --all-formats` writes them; "
                          "their SHA-256 digests are in SHA256SUMS (sha256sum -c).",
                    "zh": "本次构建的全部数据转储(与 kg export --all-formats 所写相同);"
                          "SHA-256 摘要见 SHA256SUMS(sha256sum -c)。"},
    "file": {"en": "File", "zh": "文件"},
    "bytes": {"en": "Bytes", "zh": "字节"},
    "graph_content": {"en": "The graph's content", "zh": "此图的内容"},
    "classes": {"en": "Classes", "zh": "类"},
    "object_properties": {"en": "Object properties", "zh": "对象属性"},
    "datatype_properties": {"en": "Datatype properties", "zh": "数据属性"},
    # the views of a question
    "view_table": {"en": "table", "zh": "表格"},
    "view_matrix": {"en": "matrix", "zh": "矩阵"},
    "view_timeline": {"en": "timeline", "zh": "时间线"},
    "view_bar": {"en": "bar chart", "zh": "柱状图"},
    "view_map": {"en": "map", "zh": "地图"},
    # the kinds of a question's parameters
    "type_region": {"en": "region", "zh": "地区"},
    "type_sector": {"en": "sector", "zh": "领域"},
    "type_year": {"en": "year", "zh": "年份"},
    "type_iri": {"en": "IRI", "zh": "IRI"},
    "type_string": {"en": "text", "zh": "文字"},
    "type_integer": {"en": "integer", "zh": "整数"},
    # ---- evidence: the facts behind an answer's rows, the reader of a source, and the
    # region and sector pages (kg.catalogue.evidence, kg.html.reader, kg.html.facts)
    "evidence": {"en": "Evidence", "zh": "依据"},
    "evidence_facts": {"en": "facts", "zh": "条依据"},
    "evidence_none": {"en": "no quoted fact", "zh": "无原文依据"},
    "in_source": {"en": "see it in the source", "zh": "查看原文出处"},
    "reader": {"en": "Source text", "zh": "原文"},
    "reader_intro": {"en": "The text as the project holds it. Highlighted: the clauses the "
                           "facts rest on; each links to its facts. Plain: text no fact rests "
                           "on.",
                     "zh": "本项目所存原文。高亮部分为事实所依据的原句,点击可查看相应事实;"
                           "未高亮部分无事实依据。"},
    "reader_none": {"en": "The project holds no text of this source.",
                    "zh": "本项目未存此来源的原文。"},
    "spans": {"en": "highlighted clauses", "zh": "处高亮原句"},
    "source_title": {"en": "Title", "zh": "标题"},
    "source_publisher": {"en": "Publisher", "zh": "发布者"},
    "source_date": {"en": "Date", "zh": "日期"},
    "source_url": {"en": "Address (URL)", "zh": "网址"},
    "not_stated": {"en": "none: the source does not give one",
                   "zh": "无:来源未给出"},
    "facts_here": {"en": "What the plans say", "zh": "规划所述"},
    "kind_plan": {"en": "Plans", "zh": "政策文件"},
    "kind_sector_link": {"en": "Sectors named", "zh": "提及的领域"},
    "kind_target": {"en": "Targets", "zh": "目标"},
    "kind_action": {"en": "Actions", "zh": "行动"},
    "named_by": {"en": "Where plans name it", "zh": "提及该领域的规划"},
    "breadcrumb": {"en": "You are here", "zh": "当前位置"},
    "crumb_region": {"en": "Regions", "zh": "地区"},
    "crumb_sector": {"en": "Sectors", "zh": "领域"},
    "crumb_source": {"en": "Sources", "zh": "来源"},
    # ---- end of evidence
    # releases and diffs (kg.html.releases)
    "releases": {"en": "Releases", "zh": "发布版本"},
    "releases_intro": {
        "en": "Versions of the graph given by `kg release`: each names one build for good; "
              "compare two to see which facts were added, removed or changed.",
        "zh": "由 `kg release` 发布的图谱版本,每个版本固定对应一次构建;比较两个版本,"
              "可查看新增、删除或修改的事实。"},
    "no_releases": {"en": "No release yet.", "zh": "尚无发布版本。"},
    "version": {"en": "Version", "zh": "版本"},
    "build": {"en": "Build", "zh": "构建"},
    "issued": {"en": "Released", "zh": "发布时间"},
    "changes": {"en": "Changes", "zh": "变更"},
    "compare": {"en": "Compare", "zh": "比较"},
    "from": {"en": "from", "zh": "从"},
    "to": {"en": "to", "zh": "到"},
    "added": {"en": "added", "zh": "新增"},
    "removed": {"en": "removed", "zh": "删除"},
    "changed": {"en": "changed", "zh": "修改"},
    "entities": {"en": "entities", "zh": "个实体"},
    "diff_cut": {"en": "Only the first entities are shown here; the Markdown and TriG "
                       "versions list every change.",
                 "zh": "此处仅显示前面的实体;Markdown 与 TriG 版本列出全部变更。"},
}


def pick(value: str | None) -> str:
    """The page language from a ``lang`` parameter (anything else: the default)."""
    return value if value in LANGS else DEFAULT


def text(key: str, lang: str) -> str:
    """An interface string in a language."""
    return STRINGS[key][lang]


def known(key: str) -> bool:
    """True when the table has the key (views and parameter kinds it does not name are
    shown as they are)."""
    return key in STRINGS


def both(key: str) -> str:
    """Both languages of a string, Chinese first: for titles shown to everyone.

    >>> both("home")
    '首页 · Home'
    """
    return f"{STRINGS[key]['zh']} · {STRINGS[key]['en']}"


def with_lang(url: str, lang: str) -> str:
    """The same URL with its ``lang`` parameter set (other parameters kept, in order)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    query.append(("lang", lang))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))
