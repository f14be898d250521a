"""The writer process: loads in order, reports its failures, stops with its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from kg.build.writer import Writer
from kg.errors import KgError

G1, G2 = NamedNode("http://e/g1"), NamedNode("http://e/g2")


def _nt(path: Path, n: int) -> Path:
    path.write_text("".join(f"<http://e/s{i}> <http://e/p> <http://e/o{i}> .\n" for i in range(n)))
    return path


def test_loads_files_into_their_graphs_and_removes_handed_over_ones(tmp_path: Path) -> None:
    a, b = _nt(tmp_path / "a.nt", 3), _nt(tmp_path / "b.nt", 5)
    with Writer(tmp_path / "store") as writer:
        writer.load(a, RdfFormat.N_TRIPLES, G1)
        writer.load(b, RdfFormat.N_TRIPLES, G2, remove=True)
    store = Store.read_only(str(tmp_path / "store"))
    sizes = {g: sum(1 for _ in store.quads_for_pattern(None, None, None, g)) for g in (G1, G2)}
    assert sizes == {G1: 3, G2: 5}
    assert a.exists() and not b.exists()


def test_a_failing_load_is_reported(tmp_path: Path) -> None:
    writer = Writer(tmp_path / "store")
    writer.load(tmp_path / "missing.nt", RdfFormat.N_TRIPLES, G1)
    with pytest.raises(KgError, match=r"writing .* failed"):
        writer.close()


def test_the_writer_stops_when_its_parent_dies(tmp_path: Path) -> None:
    """A parent killed mid-build closes the pipe: the writer exits without flushing."""
    script = (
        "import sys, time; from pathlib import Path; from kg.build.writer import Writer;"
        "w = Writer(Path(sys.argv[1])); print(w._proc.pid, flush=True); time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "store")],
                              stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}/stat").exists() else ""
    return " Z " not in stat  # a zombie has exited


def test_big_line_based_files_load_in_pieces_with_the_same_triples(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer bulk-loads N-Triples in pieces (bounded memory), except a file with
    blank nodes (a label names one node in one document only); the store is the same."""
    from kg import settings
    from kg.build import writer

    monkeypatch.setattr(settings, "WRITER_PART_BYTES", 200)
    plain = _nt(tmp_path / "plain.nt", 40)
    blank = tmp_path / "blank.nt"
    blank.write_text("".join(f"_:x <http://e/p> <http://e/o{i}> .\n" for i in range(40)))
    assert len(list(writer.parts(plain, RdfFormat.N_TRIPLES, tmp_path, 200))) > 5
    jobs = [f'{{"path": "{f}", "format": "application/n-triples", "remove": false, '
            f'"graph": "{g.value}"}}' for f, g in ((plain, G1), (blank, G2))]
    writer.run(str(tmp_path / "store"), iter([*jobs, "end"]))
    store = Store.read_only(str(tmp_path / "store"))
    expected = Store()
    expected.load(path=str(plain), format=RdfFormat.N_TRIPLES, to_graph=G1)
    assert set(store.quads_for_pattern(None, None, None, G1)) == set(expected)
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, G2)}
    assert len(subjects) == 1 and len(list(store.quads_for_pattern(None, None, None, G2))) == 40
    assert not list(tmp_path.glob("part-*"))  # the pieces are gone
