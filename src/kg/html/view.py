"""The view of one page: its language, its URL, the build it shows; links that keep the
language.

UI pages always name their language in their links (forms and shared links keep it);
linked-data pages do so only when their own URL named it, so an entity's page
without ``?lang=`` links to entity IRIs' plain paths.

>>> View.of("zh", "/id/region/beijing?lang=zh").href("/ontology#Plan")
'/ontology?lang=zh#Plan'
>>> View.of(None, "/id/region/beijing").href("/ontology#Plan")
'/ontology#Plan'
>>> View.of(None, "/ui/queries", always=True, accept="en-US,en").href("/ui/search", q="量子")
'/ui/search?q=%E9%87%8F%E5%AD%90&lang=en'
>>> View.of("zh", "/ui/queries?lang=zh").switched()
'/ui/queries?lang=en'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from kg.html import i18n


@dataclass(frozen=True)
class View:
    """What every page needs to know about its request."""

    lang: str = i18n.DEFAULT
    explicit: bool = False  # links carry the language
    url: str = "/"  # path and query of this page
    build: str = ""
    query: str = ""  # the search text, when there is one

    @classmethod
    def of(cls, asked: str | None, url: str, *, build: str = "", query: str = "",
           always: bool = False, accept: str | None = None) -> View:
        """From the ``lang`` parameter, else the ``Accept-Language`` header ``accept``, else
        Chinese (:func:`kg.html.i18n.negotiate`); ``always``: links carry the language even
        when the URL did not name it."""
        return cls(i18n.negotiate(asked, accept), always or asked in i18n.LANGS, url, build,
                   query)

    def built(self, build: str) -> View:
        return replace(self, build=build)

    @property
    def other(self) -> str:
        return i18n.OTHER[self.lang]

    def word(self, key: str) -> str:
        """An interface word in the page's language."""
        return i18n.text(key, self.lang)

    def href(self, path: str, **params: str) -> str:
        """A path of this site (with parameters), in the page's language when links carry
        it; not escaped."""
        base, hash_, fragment = path.partition("#")
        query = {**params, "lang": self.lang} if self.explicit else params
        if not query or not base.startswith("/"):
            return path
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}{urlencode(query)}{hash_}{fragment}"

    def switched(self) -> str:
        """This page in the other language."""
        return i18n.with_lang(self.url, self.other)
