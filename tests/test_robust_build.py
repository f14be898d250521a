"""Generated Turtle at `kg build`: a clear error or a whole new build, nothing in between.

Hypothesis corrupts one curated data file at a time (characters and Turtle
tokens deleted, inserted, duplicated; lines swapped; bytes that are not UTF-8;
literals and IRIs replaced by generated text) and builds the curated data with
that file in its place. Every build either publishes a complete new build or
fails with ParseError (file:line:column), ValidationError (focus node and
message) or InconsistencyError (what), leaving the previous build current and
intact and no build folder or pointer behind. Nothing else may escape.

The regression tests at the end are the bugs this fuzzing found.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.build.sources import collect
from kg.errors import InconsistencyError, ParseError, ValidationError
from kg.store import MANIFEST, Location

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "12"))
DATA = [s.path for s in collect(None) if s.curated and s.path.parent.name != "ontology"]
SMALL = [p for p in DATA if p.stat().st_size < 40_000]  # quick to rebuild, several kinds
TOKENS = [".", ";", ",", "<", ">", '"', "'", '"""', "@", "^^", "_:b", "[", "]", "(", ")", "#",
          "\\", "a", " ", "\n", "@prefix x: <y> .", "\\u00", "\\U0011FFFF", "xsd:integer",
          "<http://e/x y>", "fi:Region", "skos:broader", "\u202e", "\ufeff", "量子"]
BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x00", b"\r"]
LITERAL = re.compile(rb'"(?:[^"\\\n]|\\.)*"')
IRI = re.compile(rb"<[^<>\s]*>")


def _escaped(text: str) -> bytes:
    """Generated text as the inside of a Turtle string (so the file still parses)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return body.replace("\r", "\\r").encode("utf-8")


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[Path, bytes]:
    """A curated file and a corrupted copy of its bytes."""
    path = draw(st.sampled_from(SMALL))
    data = path.read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from([_delete, _insert, _lines, _bytes, _literal, _iri]))(draw, data)
    return path, data


def _span(draw: st.DrawFn, data: bytes) -> tuple[int, int]:
    i = draw(st.integers(0, len(data)))
    return i, draw(st.integers(i, min(len(data), i + 40)))


def _delete(draw: st.DrawFn, data: bytes) -> bytes:
    i, j = _span(draw, data)
    return data[:i] + data[j:]


def _insert(draw: st.DrawFn, data: bytes) -> bytes:
    i, _ = _span(draw, data)
    return data[:i] + draw(st.sampled_from(TOKENS)).encode("utf-8") + data[i:]


def _lines(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.split(b"\n")
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    if draw(st.booleans()):
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines.insert(j, lines[i])
    return b"\n".join(lines)


def _bytes(draw: st.DrawFn, data: bytes) -> bytes:
    i, _ = _span(draw, data)
    return data[:i] + draw(st.sampled_from(BYTES)) + data[i:]


def _literal(draw: st.DrawFn, data: bytes) -> bytes:
    """A literal's text replaced by generated text (any Unicode, escaped, or huge)."""
    found = list(LITERAL.finditer(data))
    if not found:
        return data
    m = draw(st.sampled_from(found))
    text = draw(st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
                          st.sampled_from(["x" * 300_000, "\x00", "\u0301" * 50])))
    suffix = draw(st.sampled_from([b"", b"@zh", b"@en-GB", b"@x-" + b"a" * 9, b"^^xsd:integer",
                                   b"^^xsd:gYear", b"^^xsd:boolean", b"^^xsd:double"]))
    return data[:m.start()] + b'"' + _escaped(text) + b'"' + suffix + data[m.end():]


def _iri(draw: st.DrawFn, data: bytes) -> bytes:
    """An IRI replaced by a generated one (valid or not)."""
    found = list(IRI.finditer(data))
    if not found:
        return data
    m = draw(st.sampled_from(found))
    text = draw(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n"),
                        max_size=20))
    return data[:m.start()] + b"<" + text.encode("utf-8") + b">" + data[m.end():]


def _copy_with(folder: Path, original: Path, data: bytes) -> list[Path]:
    """The curated data paths, ``original`` replaced by a file of the same name and folder
    name (so it lands in the same named graph) holding ``data``."""
    target = folder / original.parent.name / original.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return [target if p == original else p for p in DATA]


def _assert_intact(location: Path, build_id: str) -> None:
    loc = Location(location)
    current = loc.require_current()
    assert current.id == build_id
    assert current.manifest()["triples"] > 1000
    store = current.open()
    assert bool(store.query("ASK { ?s a ?c }", use_default_graph_as_union=True))
    del store
    folders = {p.name for p in loc.builds.iterdir()}
    assert all((loc.builds / f / MANIFEST).is_file() for f in folders), folders
    assert not list(location.glob(".current-*"))


def _assert_clear(err: Exception, path: Path) -> None:
    if isinstance(err, ParseError):
        assert err.line is not None and err.column is not None, err
        assert str(err).startswith(f"{path}:{err.line}:"), err
    elif isinstance(err, ValidationError):
        assert err.violations and all(v.focus and v.message for v in err.violations)
    else:
        assert "inconsistent" in str(err) and len(str(err)) > 30, err


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(case=corrupted())
def test_corrupted_turtle_gets_a_clear_error_or_a_whole_build(
    location: Path, tmp_path_factory: pytest.TempPathFactory, case: tuple[Path, bytes]
) -> None:
    original, data = case
    before = Location(location).require_current().id
    paths = _copy_with(tmp_path_factory.mktemp("corrupt"), original, data)
    try:
        report = build(location, paths)
    except (ParseError, ValidationError, InconsistencyError) as err:
        event(type(err).__name__)
        _assert_clear(err, paths[DATA.index(original)])
        _assert_intact(location, before)
    else:
        event("built")
        _assert_intact(location, str(report.build_id))


def _with(tmp_path: Path, name: str, old: str, new: str) -> list[Path]:
    original = next(p for p in DATA if p.name == name)
    text = original.read_text("utf-8")
    assert old in text
    return _copy_with(tmp_path, original, text.replace(old, new, 1).encode("utf-8"))


def test_bug_ill_typed_literal_crashed_hermit_input(location: Path, tmp_path: Path) -> None:
    """``"abc"^^xsd:integer`` passed parsing and SHACL, then owlready2 failed reading it for
    HermiT (OwlReadyOntologyParsingError, a traceback). Now an InconsistencyError names it."""
    before = Location(location).require_current().id
    paths = _with(tmp_path, "source.ttl", 'dcterms:language "zh"',
                  'dcterms:language "abc"^^xsd:integer')
    with pytest.raises(InconsistencyError) as info:
        build(location, paths)
    assert "source/article" in str(info.value) and '"abc"' in str(info.value)
    assert "ill-typed" in str(info.value)
    _assert_intact(location, before)


def test_bug_interrupted_prune_left_a_half_deleted_build_that_looked_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `kg build` killed while pruning an old build could leave that folder without its
    store but with its manifest and the newest folder time: the next prune kept it as a
    finished build and deleted the good previous one instead."""
    import shutil

    from kg import store

    small = [next(p for p in DATA if p.name == "source.ttl")]
    oldest = build(tmp_path, small).build_id
    previous = build(tmp_path, small).build_id
    real_rmtree = shutil.rmtree

    def killed_half_way(path: Path, *args: object, **kwargs: object) -> None:
        if Path(path).parent != tmp_path / "builds":
            return real_rmtree(path, *args, **kwargs)  # type: ignore[arg-type]
        real_rmtree(Path(path) / "store")  # the store is gone, then the process dies
        raise KeyboardInterrupt

    monkeypatch.setattr(store.shutil, "rmtree", killed_half_way)  # shutil itself: undone below
    with pytest.raises(KeyboardInterrupt):
        build(tmp_path, small)  # publishes, then dies pruning the oldest build
    monkeypatch.setattr(store.shutil, "rmtree", real_rmtree)
    current = Location(tmp_path).require_current().id
    Location(tmp_path).prune()  # what the next build does first
    folders = {p.name for p in (tmp_path / "builds").iterdir()}
    assert folders == {previous, current} and oldest not in folders
    for name in folders:
        assert (tmp_path / "builds" / name / MANIFEST).is_file()
        assert (tmp_path / "builds" / name / "store").is_dir()


def test_bug_a_byte_order_mark_was_reported_as_an_invisible_character(
    location: Path, tmp_path: Path
) -> None:
    """Editors on Windows save UTF-8 with a BOM; the error showed U+FEFF, which no one sees."""
    before = Location(location).require_current().id
    source = next(p for p in SMALL if p.name == "source.ttl")
    paths = _copy_with(tmp_path, source, b"\xef\xbb\xbf" + source.read_bytes())
    with pytest.raises(ParseError) as info:
        build(location, paths)
    assert "source.ttl:1:1:" in str(info.value) and "byte-order mark" in str(info.value)
    _assert_intact(location, before)
