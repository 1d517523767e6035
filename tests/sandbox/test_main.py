"""``python -m sandbox`` (what ``make try`` runs): one line, a working page, a clean exit."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"Couplet sandbox: http://127\.0\.0\.1:(\d+)")


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sandbox", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_it_prints_one_line_serves_the_page_and_stops_cleanly_on_ctrl_c() -> None:
    process = start("--port", "0")
    try:
        assert process.stdout is not None
        first = process.stdout.readline().rstrip("\n")
        match = LINE.fullmatch(first)
        assert match, first
        base = f"http://127.0.0.1:{match.group(1)}"
        with urllib.request.urlopen(base + "/", timeout=10) as page:
            assert b"Couplet sandbox" in page.read()
        with urllib.request.urlopen(base + "/api/state", timeout=10) as answer:
            state = json.load(answer)
        assert [p["name"] for p in state["people"]] == ["Alex", "Sam"]
        folder = Path(_database_folder(process))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert out == "" and err == ""  # nothing after the one line, not even on the way out
    assert not folder.exists()  # the throwaway database went with it


def _database_folder(process: subprocess.Popen[str]) -> str:
    """The sandbox's temporary folder, found through the process's open files."""
    fd_dir = Path(f"/proc/{process.pid}/fd")
    for fd in fd_dir.iterdir():
        target = str(fd.resolve())
        if target.endswith("couplet.db"):
            return str(Path(target).parents[1])
    raise AssertionError(f"no couplet.db open in {process.pid}")


def test_a_busy_port_is_one_line_with_what_to_do() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start("--port", str(port))
        out, err = process.communicate(timeout=60)
    assert process.returncode == 1 and out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"Couplet sandbox: cannot listen on 127.0.0.1:{port}")
    assert "make try PORT=8081" in err
