"""docs/curating.md, followed literally on a source written for the tests
(tests/fixtures/curating/plan.zh.txt): its `console` commands are run in order and the files
it shows are written where it says, so the guide cannot drift from what `kg` does."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from _project import ROOT, kg
from _server import HOST, free_port, start, stop

GUIDE = ROOT / "docs" / "curating.md"
DOCUMENT = ROOT / "tests" / "fixtures" / "curating" / "plan.zh.txt"
PLACEHOLDER = "/path/to/plan.zh.txt"  # the guide's stand-in for the reader's document
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```",
                   re.S)


def steps(guide: str) -> list[tuple[str, str]]:
    """("file", "PATH\\nCONTENT") and ("run", "COMMAND") in the guide's order."""
    out = []
    for m in BLOCK.finditer(guide):
        if m["file"]:
            out.append(("file", f"{m['file']}\n{m['body']}"))
        elif m["lang"] == "console":
            out += [("run", line[2:]) for line in m["body"].splitlines() if line.startswith("$ ")]
    return out


def test_the_guide_has_the_steps_it_promises() -> None:
    commands = [s for kind, s in steps(GUIDE.read_text("utf-8")) if kind == "run"]
    assert commands[0].startswith("kg init ") and any("kg coverage" in c for c in commands)
    assert any(c.startswith("kg serve") for c in commands) and any(c == "kg build" for c in commands)


@pytest.mark.slow
def test_following_the_guide_literally(tmp_path: Path) -> None:
    cwd = tmp_path
    port = str(free_port())
    server: subprocess.Popen[bytes] | None = None
    answers: list[str] = []
    try:
        for kind, text in steps(GUIDE.read_text("utf-8")):
            if kind == "file":
                name, content = text.split("\n", 1)
                (cwd / name).parent.mkdir(parents=True, exist_ok=True)
                (cwd / name).write_text(content, "utf-8")
                continue
            args = shlex.split(text.replace(PLACEHOLDER, str(DOCUMENT)).replace("7878", port))
            if args[0] == "cd":
                cwd = cwd / args[1]
            elif args[0] == "rm":
                for name in args[1:]:
                    (cwd / name).unlink()
            elif args[0] == "cp":
                shutil.copyfile(args[1], cwd / args[2])
            elif args[0] == "sha256sum":
                run = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True)
                assert run.stdout.split()[0] in GUIDE.read_text("utf-8")  # the guide shows it
            elif args[:2] == ["kg", "serve"]:  # as written, until the test ends
                env = {"PYTHONPATH": str(ROOT / "src"), "KG_PROJECT": "", "KG_LOCATION": ""}
                cmd = [sys.executable, "-m", "kg", *args[1:], "--workers", "1"]
                server = start(cmd, f"http://{HOST}:{port}/health", tmp_path / "serve.log",
                               env, cwd=cwd)
            elif args[0] == "curl":
                accept = args[args.index("-H") + 1].split(": ", 1)[1]
                r = httpx.get(args[-1], headers={"Accept": accept}, timeout=120)
                assert r.status_code == 200, r.text
                answers.append(r.text)
            else:
                assert args[0] == "kg", text
                run = kg(*args[1:], cwd=cwd)
                assert run.returncode == 0, f"$ {text}\n{run.stdout}\n{run.stderr}"
                answers.append(run.stdout)
    finally:
        if server:
            stop(server)
    assert server is not None and len(answers) >= 4
    served = answers[-1]
    assert "https://example.org/my-plans/id/target-a-province-2027-pilot-zones" in served
    assert "提出到2027年,建成一批未来产业先导区" in served
    assert "https://example.org/my-plans/id/source/plan" in served
    assert answers[-2].replace("\r\n", "\n").strip() == served.replace("\r\n", "\n").strip()


def test_the_guide_shows_the_error_a_changed_quote_gives(tmp_path: Path) -> None:
    """The error quoted in the guide is the one the build gives (its line number too)."""
    guide = GUIDE.read_text("utf-8")
    shown = re.search(r"```text\n(kg: error: .*?)```", guide, re.S)
    assert shown
    project = tmp_path / "my-plans"
    assert kg("init", str(project), cwd=tmp_path).returncode == 0
    for name in ("data/example.ttl", "sources/example.zh.txt"):
        (project / name).unlink()
    shutil.copyfile(DOCUMENT, project / "sources" / "plan.zh.txt")
    for kind, text in steps(guide):
        if kind == "file" and text.startswith("data/"):
            name, content = text.split("\n", 1)
            (project / name).write_text(content.replace("提出到2027年,建成", "提出到2027年,建设"),
                                        "utf-8")
    run = kg("build", cwd=project)
    assert run.returncode == 4
    expected = shown[1].strip().replace("…/", f"{project}/")
    assert run.stderr.strip().endswith(expected), run.stderr
