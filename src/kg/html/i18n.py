"""Every word of the interface in both languages, in one table, and the page language.

Chinese first: the language of a page is the one its URL names (``?lang=zh`` or
``?lang=en``, so a link or a shared URL opens in the same language), else the
browser's first choice among ours (``Accept-Language``, q-values honoured), else
Chinese.

>>> pick("zh"), pick("fr"), pick(None)
('zh', 'zh', 'zh')
>>> negotiate(None, "en-GB,en;q=0.9,zh-CN;q=0.8"), negotiate(None, "fr, zh-CN;q=0.5, en;q=0.4")
('en', 'zh')
>>> negotiate("zh", "en"), negotiate(None, "en;q=0, de"), negotiate(None, None)
('zh', 'zh', 'zh')
>>> text("search", "zh")
'搜索'
>>> with_lang("/ui/queries/x?region=shandong&lang=en", "zh")
'/ui/queries/x?region=shandong&lang=zh'
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pypinyin import Style, lazy_pinyin

from kg import settings

LANGS = settings.LANGS
DEFAULT = "zh"
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
    "build": {"en": "build", "zh": "构建版本"},
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
    "kind_evidence": {"en": "Quotes located in the text", "zh": "原文定位"},
    "kind_amount": {"en": "Amounts", "zh": "金额"},
    "kind_sector": {"en": "Sectors", "zh": "领域"},
    "kind_region": {"en": "Regions", "zh": "地区"},
    "list_in_editor": {"en": "list them all in the SPARQL editor",
                       "zh": "在 SPARQL 编辑器中列出全部"},
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


def negotiate(asked: str | None, accept: str | None) -> str:
    """The page language: ``asked`` (the ``lang`` parameter) when it is one of ours, else
    the ``Accept-Language`` range of ours with the highest q (the first on a tie; ``q=0``
    refuses), else :data:`DEFAULT`."""
    if asked in LANGS:
        return str(asked)
    best, best_q = DEFAULT, 0.0
    for item in (accept or "").split(",")[:32]:
        tag, _, params = item.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = _quality(params)
        if lang in LANGS and q > best_q:
            best, best_q = lang, q
    return best


def _quality(params: str) -> float:
    """The q-value of an Accept-Language item's parameters (1 without one, 0 when unreadable).

    >>> _quality(" q=0.5"), _quality(""), _quality("q=x")
    (0.5, 1.0, 0.0)
    """
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return min(1.0, max(0.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


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


# ---------------------------------------------------------------------------------------
# Words of the forms, tags, result columns and page scripts (issue 15, Chinese-first).
# Keys: ``param_NAME`` (a parameter's caption), ``hint_NAME`` or ``hint_QUERY.NAME`` (its
# hint, the question's own first), ``tag_NAME``, ``col_NAME`` (a result column, without a
# trailing "Label"), ``js_*`` (words the page scripts show, sent with the page).

def _w(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


_FORMS = {
    "param_region": _w("Region", "地区"), "param_region1": _w("First region", "地区一"),
    "param_region2": _w("Second region", "地区二"), "param_sector": _w("Sector", "领域"),
    "param_sector1": _w("First sector", "领域一"), "param_sector2": _w("Second sector", "领域二"),
    "param_sectors": _w("More sectors", "更多领域"),
    "param_year": _w("Year", "年份"), "param_text": _w("Text to look for", "查找文字"),
    "param_plan": _w("Plan", "政策文件"), "param_fact": _w("Fact", "事实"),
    "param_service": _w("Wikidata service", "维基数据查询服务"),
    "hint_region": _w("the region", "所查地区"),
    "hint_region1": _w("first region", "第一个地区"),
    "hint_region2": _w("second region", "第二个地区"),
    "hint_sector": _w("the sector (narrower sectors count)", "所查领域(含其下位领域)"),
    "hint_sector1": _w("first sector (narrower sectors count)", "第一个领域(含其下位领域)"),
    "hint_sector2": _w("second sector (narrower sectors count)", "第二个领域(含其下位领域)"),
    "hint_sectors": _w("each one required too (narrower sectors count)",
                       "地区须同时布局其中每一个(含其下位领域)"),
    "no_sector": _w("(none)", "(无)"),
    "hint_year": _w("targets due in or before this year", "该年或之前到期的目标"),
    "hint_regions-targeting-sectors.year": _w("the plans must fall due by this year",
                                              "规划须在该年之前(含)到期"),
    "hint_text": _w("the text to look for", "要查找的文字"),
    "hint_plan": _w("the plan (leave empty for every plan's actions)",
                    "政策文件(留空则列出所有文件的行动)"),
    "hint_fact": _w("the fact: a plan, target, sector link or action",
                    "事实:政策文件、目标、领域关联或行动"),
    "hint_service": _w("the Wikidata SPARQL service", "维基数据 SPARQL 查询服务"),
    "featured": _w("Featured questions", "精选问题"),
    "all_questions": _w("All questions", "全部问题"),
    "answer": _w("Answer", "查看答案"),
    "found_questions": _w("Questions", "相关问题"),
    "found_entities": _w("Regions, sectors, plans", "地区、领域与政策文件"),
    "no_questions_found": _w("No question mentions this.", "没有提到此内容的问题。"),
    "domain_other": _w("Other sectors", "其他领域"),
    "bad_value": _w("This value is not allowed", "该取值不可用"),
    "allowed_values": _w("Allowed values", "可选取值"),
    "bad_year": _w("a year of four digits, such as 2025", "四位数年份,如 2025"),
    "bad_integer": _w("a whole number, such as 10", "整数,如 10"),
    "bad_iri": _w("a link (IRI) such as id:plan/…", "链接(IRI),如 id:plan/…"),
    "bad_text": _w("a text of at most 10,000 characters", "不超过一万字的文字"),
    "federated_note": _w("This question asks Wikidata, another service on the internet; "
                         "its downloads ask it again.",
                         "此问题需查询互联网上的另一服务(维基数据);下载时也会再次查询。"),
}

_TAGS = {
    "tag_action": _w("action", "行动"), "tag_comparison": _w("comparison", "对比"),
    "tag_count": _w("count", "计数"), "tag_dataquality": _w("data quality", "数据质量"),
    "tag_data quality": _w("data quality", "数据质量"),
    "tag_domain": _w("domain", "大类"), "tag_federated": _w("another service", "外部服务"),
    "tag_horizon": _w("horizon", "时间跨度"), "tag_label": _w("name", "名称"),
    "tag_linked-data": _w("linked data", "关联数据"), "tag_links": _w("links", "关联"),
    "tag_map": _w("map", "地图"), "tag_money": _w("money", "金额"),
    "tag_national": _w("national", "国家层面"), "tag_overview": _w("overview", "概览"),
    "tag_plan": _w("plan", "政策文件"), "tag_provenance": _w("source", "出处"),
    "tag_ranking": _w("ranking", "排名"), "tag_region": _w("region", "地区"),
    "tag_scheme": _w("classification", "分类体系"), "tag_search": _w("search", "搜索"),
    "tag_sector": _w("sector", "领域"), "tag_source": _w("source", "原文"),
    "tag_target": _w("target", "目标"), "tag_threshold": _w("threshold", "门槛"),
    "tag_timeline": _w("timeline", "时间线"), "tag_treatment": _w("treatment", "定位"),
    "tag_wikidata": _w("Wikidata", "维基数据"), "tag_year": _w("year", "年份"),
}

_COLUMNS = {
    "col_region": _w("region", "地区"), "col_region1": _w("first region", "地区一"),
    "col_region2": _w("second region", "地区二"), "col_sector": _w("sector", "领域"),
    "col_sector1": _w("first sector", "领域一"), "col_sector2": _w("second sector", "领域二"),
    "col_plan": _w("plan", "政策文件"), "col_plans": _w("plans", "政策文件"),
    "col_title": _w("title", "标题"), "col_zhTitle": _w("Chinese title", "中文标题"),
    "col_date": _w("issued", "发布日期"), "col_issued": _w("issued", "发布日期"),
    "col_anyDate": _w("date", "日期"),
    "col_dateAsStated": _w("date as stated", "原文日期"), "col_kind": _w("kind", "类型"),
    "col_issuer": _w("issuer", "发布者"), "col_periodStart": _w("period from", "起始年"),
    "col_periodEnd": _w("period to", "截止年"), "col_treatment": _w("treatment", "定位"),
    "col_treatments": _w("treatments", "定位"), "col_wording": _w("wording", "原文措辞"),
    "col_wordings": _w("wordings", "原文措辞"), "col_wording1": _w("wording (1)", "地区一措辞"),
    "col_wording2": _w("wording (2)", "地区二措辞"),
    "col_wordings1": _w("wordings (1)", "地区一措辞"),
    "col_wordings2": _w("wordings (2)", "地区二措辞"), "col_year": _w("year", "年份"),
    "col_due": _w("due", "到期年份"), "col_target": _w("target", "目标"),
    "col_amount": _w("amount", "金额"), "col_threshold": _w("threshold", "门槛"),
    "col_thresholdWording": _w("threshold as worded", "门槛原文"),
    "col_count": _w("count", "数量"), "col_countedThing": _w("what is counted", "计数对象"),
    "col_counted": _w("what is counted", "计数对象"),
    "col_qualifier": _w("qualifier", "修饰语"), "col_quantity": _w("quantity", "数量"),
    "col_originalWording": _w("original wording", "原文表述"), "col_action": _w("action", "行动"),
    "col_location": _w("place", "地点"), "col_locations": _w("places", "地点"),
    "col_sourceQuote": _w("source quote", "原文依据"), "col_quote": _w("quote", "原文"),
    "col_source": _w("source", "来源"), "col_entity": _w("name", "名称"),
    "col_label": _w("name", "名称"), "col_labelEn": _w("English name", "英文名称"),
    "col_labelZh": _w("Chinese name", "中文名称"), "col_how": _w("how it matched", "匹配方式"),
    "col_matches": _w("matching text", "匹配文字"), "col_matched": _w("matched", "匹配对象"),
    "col_domain": _w("domain", "大类"), "col_sectors": _w("sectors", "领域数"),
    "col_targets": _w("targets", "目标数"), "col_actions": _w("actions", "行动数"),
    "col_link": _w("link", "关联"), "col_links": _w("links", "关联数"),
    "col_broader": _w("broader sector", "上位领域"),
    "col_broaderLabels": _w("broader sectors", "上位领域"),
    "col_altLabel": _w("other name", "其他名称"), "col_altLabels": _w("other names", "其他名称"),
    "col_regions": _w("regions", "地区数"), "col_direction": _w("direction", "方向"),
    "col_match": _w("match", "匹配"), "col_statedCount": _w("count stated", "所称数量"),
    "col_listedCount": _w("count listed", "列出数量"), "col_note": _w("note", "说明"),
    "col_horizonMinYears": _w("shortest horizon (years)", "最短年限"),
    "col_horizonMaxYears": _w("longest horizon (years)", "最长年限"),
    "col_relation": _w("relation", "关系"), "col_wikidata": _w("Wikidata", "维基数据"),
    "col_fact": _w("fact", "事实"), "col_part": _w("part", "部分"), "col_item": _w("item", "条目"),
    "col_evidence": _w("evidence", "依据"),
    "col_code": _w("code", "代码"), "col_division": _w("division", "行政区划"),
    "col_divisionName": _w("division", "行政区划"),
    "col_provinceCode": _w("province code", "省级代码"),
    "col_provinceName": _w("province", "省份"), "col_lat": _w("latitude", "纬度"),
    "col_lon": _w("longitude", "经度"), "col_description": _w("description", "说明"),
    "col_someRegion": _w("a region", "地区"), "col_sortKey": _w("order", "排序"),
    "col_p1": _w("plan (1)", "文件一"), "col_p2": _w("plan (2)", "文件二"),
    "col_text": _w("text", "文字"), "col_lang": _w("language", "语言"),
}

_SCRIPTS = {
    "js_rows_one": _w("1 row", "共 1 行"), "js_rows": _w("{n} rows", "共 {n} 行"),
    "js_range": _w(" ({from}–{to})", "(第 {from}–{to} 行)"),
    "js_truncated": _w(" (truncated)", "(已截断)"),
    "js_empty": _w("No answer: nothing in the graph meets these conditions. Try another "
                   "value or a later year.",
                   "没有符合条件的结果:图谱中没有满足这些条件的内容。可换一个取值或更晚的年份再试。"),
    "js_prev": _w("← previous", "← 上一页"), "js_next": _w("next →", "下一页 →"),
    "js_all_rows": _w("all rows", "全部行"), "js_pages": _w("pages", "分页"),
    "js_hits_one": _w("1 result", "1 条结果"), "js_hits": _w("{n} results", "{n} 条结果"),
    "js_how_label": _w("name matches", "名称匹配"),
    "js_how_names sector": _w("names a matching sector", "提到匹配的领域"),
    "js_err_400": _w("This question cannot be answered with these values.",
                     "无法用这些取值回答此问题。"),
    "js_err_404": _w("This question is not in the catalogue.", "目录中没有这个问题。"),
    "js_err_remote": _w("The remote service this question asks (Wikidata) cannot be reached "
                        "from this server just now, so there is no answer. The rest of the "
                        "site works without it; try again later.",
                        "此问题需要查询的外部服务(维基数据)目前无法从本服务器访问,因此没有结果。"
                        "网站其余部分不受影响,请稍后再试。"),
    "js_err_busy": _w("The server is busy or took too long; try again in a moment.",
                      "服务器繁忙或超时,请稍后再试。"),
    "js_err_other": _w("Something went wrong while answering; try again.",
                       "回答时出错,请重试。"),
    "js_download_off": _w("Downloads are off while the remote service cannot be reached.",
                          "外部服务无法访问,下载暂不可用。"),
    "js_no_coords": _w("Not on the map (no coordinates): ", "未在地图上(无坐标):"),
    "js_map_source": _w("Coordinates: China's administrative divisions (GB/T 2260, from "
                        "cpca), joined by region code.",
                        "坐标:中国行政区划数据集(GB/T 2260,来自 cpca),经地区代码关联。"),
    "js_legend_circle": _w("circle: one region; its area is the value", "圆:一个地区,面积表示数值"),
    "js_legend_dot": _w("small dot: a province or prefecture (for orientation)",
                        "小点:省级或地级行政区(仅作定位参考)"),
    "js_legend_issued": _w("dot: issue date", "圆点:发布日期"),
    "js_legend_period": _w("bar: the plan's period (years)", "横条:规划期(年)"),
    "js_undated": _w("Date not stated in the article", "原文未注明日期"),
    "js_axis": _w("axis", "坐标轴"),
    "js_value": _w("value", "数值"),
    "js_map_fit": _w("Framed on the results", "已缩放至结果所在范围"),
    "js_show_all": _w("show all of China", "显示全国"),
    "js_metric": _w("metric", "指标"),
    "js_one_axis": _w("Each metric has its own bars and scale; bars of different metrics are "
                      "not comparable.", "每个指标单独成组、单独标尺;不同指标的柱长不可比较。"),
    "js_metric_revenue": _w("main business revenue", "主营业务收入"),
    "js_metric_output": _w("output value", "产值"),
    "js_metric_scale": _w("industry scale", "产业规模"),
    "js_metric_other": _w("amount (the article names no metric)", "金额(原文未注明指标)"),
    "js_legend_cell": _w("cell colour: how the region's plans treat the sector; stripes: "
                         "several treatments", "格子颜色:规划对该领域的定位;条纹:多种定位"),
    "js_legend_shade": _w("darker: a larger number", "颜色越深,数值越大"),
    "js_legend_narrower": _w("↳ a narrower sector, under the one above it",
                             "↳ 下位领域,属于其上方的领域"),
    "js_several": _w("several treatments", "多种定位"),
    "js_narrower": _w("under {x}", "属于{x}"),
    "js_chart_matrix": _w("Matrix: {r} rows × {c} columns", "矩阵:{r} 行 × {c} 列"),
    "js_chart_timeline": _w("Timeline of {n} items", "{n} 项的时间线"),
    "js_chart_bar": _w("Bar chart of {n} values", "{n} 个数值的柱状图"),
    "js_chart_map": _w("Map of {n} regions", "{n} 个地区的地图"),
    "js_stale": _w("The form has changed: the answer below is for the previous values. "
                   "Press Run to update it.",
                   "表单已修改:下方结果对应修改前的选项,请点击“查询”更新。"),
    "js_add_sector": _w("Add a sector", "添加领域"),
    "js_filter": _w("Filter sectors: characters, pinyin or English", "筛选领域:汉字、拼音或英文"),
    "js_editor_label": _w("SPARQL query text", "SPARQL 查询文本"),
    "js_endpoint": _w("SPARQL endpoint", "SPARQL 端点"),
}

_HOME = {
    "m_sparql": _w("SPARQL 1.1 endpoint", "SPARQL 1.1 查询端点"),
    "m_queries": _w("Packaged questions (JSON)", "预置问题(JSON)"),
    "m_openapi": _w("API description (OpenAPI)", "接口说明(OpenAPI)"),
    "m_ontology": _w("Ontology", "本体"), "m_void": _w("Dataset description (VoID)",
                                                      "数据集描述(VoID)"),
    "m_catalog": _w("Catalogue of downloads (DCAT)", "下载目录(DCAT)"),
    "m_health": _w("Server health", "服务器状态"),
}

# Terms of other vocabularies as plain words on pages (``term_`` and the prefixed name).
_TERMS = {
    "term_eli:date_document": _w("date of the document", "文件日期"),
    "term_eli:is_about": _w("is about", "涉及"), "term_eli:is_part_of": _w("part of", "属于"),
    "term_eli:passed_by": _w("issued by", "发布机构"),
    "term_dcterms:identifier": _w("code", "代码"), "term_dcterms:title": _w("title", "标题"),
    "term_dcterms:description": _w("description", "说明"),
    "term_dcterms:source": _w("source", "来源"), "term_dcterms:isPartOf": _w("part of", "属于"),
    "term_dcterms:language": _w("language", "语言"),
    "term_dcterms:license": _w("licence", "许可协议"),
    "term_dcterms:publisher": _w("publisher", "发布者"),
    "term_dcterms:creator": _w("author", "作者"),
    "term_dcterms:contributor": _w("contributor", "贡献者"),
    "term_qudt:numericValue": _w("amount", "数值"),
    "term_qudt:quantityValue": _w("quantity", "数量"),
    "term_qudt:unit": _w("unit", "单位"),
    "term_rdfs:seeAlso": _w("see also", "另见"), "term_rdfs:comment": _w("comment", "注释"),
    "term_rdf:type": _w("kind", "类型"),
    "term_skos:broader": _w("broader sector", "上位领域"),
    "term_skos:narrower": _w("narrower sector", "下位领域"),
    "term_skos:related": _w("related sector", "相关领域"),
    "term_skos:inScheme": _w("in the classification", "所属分类体系"),
    "term_skos:topConceptOf": _w("top of the classification", "分类体系顶层"),
    "term_skos:hasTopConcept": _w("top sectors", "顶层领域"),
    "term_skos:editorialNote": _w("editor's note", "编者注"),
    "term_skos:scopeNote": _w("scope", "范围说明"),
    "term_skos:definition": _w("definition", "定义"),
    "term_skos:altLabel": _w("also called", "又称"),
    "term_skos:exactMatch": _w("the same as", "等同于"),
    "term_skos:closeMatch": _w("close to", "近似于"),
    "term_skos:broadMatch": _w("within", "属于(外部)"),
    "term_skos:relatedMatch": _w("related to", "相关(外部)"),
    "term_prov:wasDerivedFrom": _w("taken from", "出处"),
    "term_schema:containedInPlace": _w("within", "所在地区"),
    "term_schema:sameAs": _w("the same as", "等同于"), "term_schema:location": _w("place", "地点"),
    "term_schema:geo": _w("coordinates", "坐标"), "term_schema:latitude": _w("latitude", "纬度"),
    "term_schema:longitude": _w("longitude", "经度"), "term_schema:name": _w("name", "名称"),
    "term_schema:target": _w("target", "目标"), "term_schema:keywords": _w("keywords", "关键词"),
    "term_schema:articleSection": _w("section", "章节"), "term_schema:editor": _w("editor", "编辑"),
    "term_time:inXSDgYear": _w("year", "年份"), "term_owl:sameAs": _w("the same as", "等同于"),
    "term_void:inDataset": _w("in the dataset", "所属数据集"),
}

STRINGS.update(_TERMS)
STRINGS.update(_HOME)
STRINGS.update(_FORMS)
STRINGS.update(_TAGS)
STRINGS.update(_COLUMNS)
STRINGS.update(_SCRIPTS)


def first(keys: list[str], lang: str, fallback: str) -> str:
    """The word of the first key the table has, else the fallback.

    >>> first(["hint_x.year", "hint_year"], "zh", "?")
    '该年或之前到期的目标'
    """
    return next((STRINGS[k][lang] for k in keys if k in STRINGS), fallback)


def term(curie: str, lang: str) -> str:
    """A term of a vocabulary (a prefixed name) in plain words, else as it is.

    >>> term("skos:broader", "zh"), term("dcterms:identifier", "en"), term("ex:x", "zh")
    ('上位领域', 'code', 'ex:x')
    """
    return first([f"term_{curie}"], lang, curie)


def column(name: str, lang: str) -> str:
    """A result column's heading (a trailing ``Label`` dropped).

    >>> column("regionLabel", "zh"), column("periodStart", "en"), column("zz", "zh")
    ('地区', 'period from', 'zz')
    """
    base = name.removesuffix("Label") or name
    return first([f"col_{base}", f"col_{name}"], lang, base)


def script_words(lang: str) -> dict[str, str]:
    """Every word the page scripts show, and the column headings, in a language (sent with
    a page as JSON)."""
    return {k: v[lang] for k, v in STRINGS.items() if k.startswith(("js_", "col_"))}


def sort_key(text: str, lang: str) -> str:
    """How lists are ordered: Chinese by pinyin (then by the characters), English by letters.

    >>> sorted(["上海", "北京", "重庆"], key=lambda t: sort_key(t, "zh"))
    ['北京', '重庆', '上海']
    >>> sorted(["beijing", "Anhui"], key=lambda t: sort_key(t, "en"))
    ['Anhui', 'beijing']
    """
    if lang != "zh":
        return text.casefold()
    return " ".join(pinyin(text)) + "\x00" + text


def pinyin(text: str) -> list[str]:
    """The pinyin of a text, syllable by syllable, without tones (other text as it is).

    >>> pinyin("量子科技 6G")
    ['liang', 'zi', 'ke', 'ji', ' 6g']
    """
    return [p.lower() for p in lazy_pinyin(text, style=Style.NORMAL)]
