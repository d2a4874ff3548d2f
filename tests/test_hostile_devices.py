"""Devices, FIFOs, /proc and closed or full standard streams, as inputs and outputs.

`st_size` is 0 for all of these, so a size check that trusts it reads
`/dev/zero` until the kernel kills the process; each must end at once with
one line and exit 2 (or, for a pipe that ends, be read like a file).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from hostile import CLI, check, fingerprint, refused, run

CASE = b'{"planner": "city", "spec_author": "city"}'


@pytest.mark.parametrize(
    ("command", "device"),
    [("classify", "/dev/zero"), ("explain", "/dev/urandom"), ("npo", "/dev/null")],
)
def test_a_device_as_the_case_file(tmp_path: Path, command: str, device: str) -> None:
    started = time.monotonic()
    refused(run(command, device, cwd=tmp_path), device, "not a regular file")
    # Not a timed assertion of speed: a read of /dev/zero never ends on its own.
    assert time.monotonic() - started < 15


def test_standard_input_from_dev_zero_is_capped(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        done = run("classify", "-", cwd=tmp_path, stdin=zero.fileno())
    refused(done, "<stdin>", "too large", "1,000,000")


def test_standard_input_from_dev_urandom_is_capped(tmp_path: Path) -> None:
    with open("/dev/urandom", "rb") as noise:
        done = run("classify", "-", cwd=tmp_path, stdin=noise.fileno())
    refused(done, "<stdin>", "too large")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_inventory_linked_to_a_device(tmp_path: Path, suffix: str) -> None:
    link = tmp_path / f"inv{suffix}"
    link.symlink_to("/dev/zero")
    done = run("batch", str(link), "-o", str(tmp_path / "out.csv"), cwd=tmp_path)
    refused(done, "not a regular file")
    assert not (tmp_path / "out.csv").exists()


def test_a_case_linked_to_dev_urandom(tmp_path: Path) -> None:
    link = tmp_path / "case.yaml"
    link.symlink_to("/dev/urandom")
    refused(run("classify", str(link), cwd=tmp_path), "case.yaml", "not a regular file")


def test_a_fifo_nobody_writes_to_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    refused(run("classify", str(fifo), cwd=tmp_path), "empty file")


def test_a_fifo_that_is_written_is_read_like_a_file(tmp_path: Path) -> None:
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [CLI, "classify", "--json", "--no-what-if", str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with open(fifo, "wb") as writer:
        writer.write(b"planner: city\n")
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert '"verdict"' in out


def test_proc_files_are_read_with_the_cap(tmp_path: Path) -> None:
    # st_size is 0 but the file has content: read, then refused as not a case.
    refused(run("classify", "/proc/self/status", cwd=tmp_path), "/proc/self/status")


def test_a_directory_as_the_case_file(tmp_path: Path) -> None:
    refused(run("classify", str(tmp_path), cwd=tmp_path), "directory")


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "case.json"
    case.write_bytes(CASE)
    return case


def test_stdout_to_dev_full(tmp_path: Path) -> None:
    case = _case(tmp_path)
    before = fingerprint([case])
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [CLI, "classify", str(case)], stdout=full, stderr=subprocess.PIPE, timeout=20
        )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "no space left on device" in err
    assert fingerprint([case]) == before


def test_closed_stdout(tmp_path: Path) -> None:
    case = _case(tmp_path)
    before = fingerprint([case])
    done = subprocess.run(
        [CLI, "classify", str(case)],
        stderr=subprocess.PIPE,
        timeout=20,
        preexec_fn=lambda: os.close(1),
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and "standard output is closed" in err
    assert fingerprint([case]) == before


def test_closed_stdin(tmp_path: Path) -> None:
    done = subprocess.run(
        [CLI, "classify", "-"],
        capture_output=True,
        timeout=20,
        preexec_fn=lambda: os.close(0),
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_closed_stdin_for_the_wizard(tmp_path: Path) -> None:
    done = subprocess.run(
        [CLI, "wizard"], capture_output=True, timeout=20, preexec_fn=lambda: os.close(0)
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_unencodable_terminal(tmp_path: Path) -> None:
    case = _case(tmp_path)
    done = run("classify", str(case), cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "\\u5224\\u5b9a" in done.stdout  # 判定, escaped instead of a crash
    bad = tmp_path / "bad.yaml"
    bad.write_text("planner: 市長\n", encoding="utf-8")
    refused(run("classify", str(bad), cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"}))


def test_a_report_under_a_file(tmp_path: Path) -> None:
    case = _case(tmp_path)
    before = fingerprint([case])
    line = check(run("classify", str(case), "--report", f"{case}/r.html", cwd=tmp_path), before)
    assert "case.json/r.html" in line
