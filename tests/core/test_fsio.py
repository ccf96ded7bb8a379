"""Writes that never clobber (mlmodel.core.fsio): one test per row of the table in docs/fix.md.

Devices are made with os.mknod inside tmp_path (as root); no test touches a system file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlmodel.checking.reading import read_mlmodel
from mlmodel.core.fsio import (
    TEMP_SUFFIX,
    ChangedOnDiskError,
    FileTooLargeError,
    NotRegularFileError,
    ReadOnlyFileError,
    atomic_directory,
    read_regular,
    remove_stale_temporaries,
    write_file,
)
from tests.pause_before_rename import command as paused

ROOT = Path(__file__).resolve().parents[2]
MODEL = "flavors:\n  python_function:\n    loader_module: mlflow.sklearn  # keep\n"
FIXABLE = MODEL + "    python_version: 3.10\n"  # lint --fix quotes it (MLM101)
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod, chown)")


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX))


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def mlmodel_cli(*args: str, pause: Path | None = None) -> subprocess.Popen[bytes]:
    """``python -m mlmodel ARGS``; with ``pause``, its writes pause before their rename
    (``tests/pause_before_rename.py``: ``PAUSE.ready`` appears, ``PAUSE.go`` resumes)."""
    argv = ["-m", "mlmodel", *args]
    return subprocess.Popen(
        [sys.executable, *argv] if pause is None else paused(pause, *argv),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(process.communicate(timeout=10))
        assert time.monotonic() < deadline, "the writer never reached the pause"
        time.sleep(0.01)


# -- regular files: modes and owners ------------------------------------------------------


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(tmp_path: Path, mask: int, expected: int) -> None:
    with umask(mask):
        written = write_file(tmp_path / "out.json", b"{}\n")
    assert written.read_bytes() == b"{}\n"
    assert mode(written) == expected
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("kept", [0o640, 0o755, 0o604])
def test_a_replaced_file_keeps_its_mode(tmp_path: Path, kept: int) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    target.chmod(kept)
    with umask(0o077):
        write_file(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert mode(target) == kept


@as_root
def test_a_replaced_file_keeps_its_owner_and_group(tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    os.chown(target, 4321, 8765)
    before = os.stat(target)
    write_file(target, b"new\n")
    after = os.stat(target)
    assert (after.st_uid, after.st_gid) == (4321, 8765)
    assert after.st_ino != before.st_ino  # replaced atomically, not written in place


def test_convert_output_gets_the_umask_mode_not_0600(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(MODEL)
    out = tmp_path / "out.json"
    process = mlmodel_cli("convert", str(tmp_path), "-o", str(out))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert mode(out) == 0o666 & ~current_umask()


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- symlinks and hard links ----------------------------------------------------------------


def test_a_symlink_is_written_through_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "store" / "MLmodel"
    real.parent.mkdir()
    real.write_text(MODEL)
    real.chmod(0o640)
    link = tmp_path / "MLmodel"
    link.symlink_to(Path("store") / "MLmodel")
    assert write_file(link, b"new\n") == real
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("store", "MLmodel")
    assert real.read_bytes() == b"new\n"
    assert mode(real) == 0o640
    assert temporaries(tmp_path) == temporaries(real.parent) == []


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to("made.json")
    write_file(link, b"{}\n")
    assert link.is_symlink()
    assert (tmp_path / "made.json").read_bytes() == b"{}\n"


def test_lint_fix_on_a_symlinked_mlmodel_keeps_the_link(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (tmp_path / "shared.MLmodel").write_text(FIXABLE)
    (model / "MLmodel").symlink_to(tmp_path / "shared.MLmodel")
    process = mlmodel_cli("lint", "--fix", "--no-check-files", "--select", "MLM101", str(model))
    process.communicate(timeout=60)
    assert (model / "MLmodel").is_symlink()
    assert "python_version: '3.10'" in (tmp_path / "shared.MLmodel").read_text()


def test_a_hard_linked_file_is_written_in_place(tmp_path: Path) -> None:
    first = tmp_path / "MLmodel"
    first.write_text(MODEL)
    second = tmp_path / "copy.MLmodel"
    os.link(first, second)
    inode = os.stat(first).st_ino
    write_file(first, b"new content\n")
    assert second.read_bytes() == first.read_bytes() == b"new content\n"
    assert os.stat(first).st_ino == os.stat(second).st_ino == inode
    assert os.stat(first).st_nlink == 2
    write_file(first, b"short\n")  # a shorter content is truncated, not left with a tail
    assert second.read_bytes() == b"short\n"


def test_a_read_only_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    target.chmod(0o444)
    with pytest.raises(ReadOnlyFileError, match="read-only file; not written"):
        write_file(target, b"new\n")
    assert target.read_text() == MODEL
    assert mode(target) == 0o444
    assert temporaries(tmp_path) == []


def test_convert_in_place_on_a_read_only_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    target.chmod(0o444)
    process = mlmodel_cli("convert", str(tmp_path), "--to", "json", "--in-place")
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert b"read-only file; not written" in err
    assert target.read_text() == MODEL


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_file(tmp_path, b"x")


# -- devices, FIFOs and standard streams --------------------------------------------------


@as_root
def test_a_character_device_is_written_in_place_and_stays_a_device(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a null device of our own
    write_file(null, b"discarded\n")
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.lstat(null).st_rdev == os.makedev(1, 3)
    assert temporaries(tmp_path) == []


@as_root
def test_convert_to_a_device_node_works(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text(MODEL)
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    process = mlmodel_cli("convert", str(model), "-o", str(null))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_fifo_is_written_in_place_for_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    write_file(fifo, b"through the pipe\n")
    thread.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert temporaries(tmp_path) == []


def test_convert_to_dev_stdout_prints(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(MODEL)
    process = mlmodel_cli("convert", str(tmp_path), "-o", "/dev/stdout")  # the child's own pipe
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert b'"loader_module": "mlflow.sklearn"' in out


def test_output_to_the_file_stdout_is_redirected_to_goes_through_stdout(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text(MODEL)
    out = tmp_path / "out.json"
    with out.open("wb") as handle:
        handle.write(b"[before]\n")
        handle.flush()
        code = subprocess.call(
            [sys.executable, "-m", "mlmodel", "convert", str(tmp_path), "-o", str(out)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=handle,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
    assert code == 0
    text = out.read_text()
    assert text.startswith("[before]\n{") and '"mlflow.sklearn"' in text


# -- reading: only bounded regular files ----------------------------------------------------


def test_read_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError, match="a FIFO, not a regular file"):
        read_regular(fifo, max_bytes=100)


@as_root
def test_read_regular_refuses_a_device(tmp_path: Path) -> None:
    zero = tmp_path / "zero"
    os.mknod(zero, stat.S_IFCHR | 0o666, os.makedev(1, 5))
    with pytest.raises(NotRegularFileError, match="a character device"):
        read_regular(zero, max_bytes=100)


def test_read_regular_checks_the_size_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big"
    with big.open("wb") as handle:
        handle.truncate(1 << 40)  # sparse: reading it whole would take a terabyte
    with pytest.raises(FileTooLargeError, match="above the 1000-byte limit"):
        read_regular(big, max_bytes=1000)
    small = tmp_path / "small"
    small.write_bytes(b"abc")
    data, stamp = read_regular(small, max_bytes=3)
    assert data == b"abc"
    assert (stamp.inode, stamp.size) == (os.stat(small).st_ino, 3)


# -- changed on disk: concurrent writers ----------------------------------------------------


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    first, second = read_mlmodel(target), read_mlmodel(target)
    first["run_id"] = "one"
    first.write()
    second["model_uuid"] = "two"
    with pytest.raises(
        ChangedOnDiskError, match=r"changed on disk since it was read \(replaced\); not written"
    ):
        second.write()
    assert "run_id: one" in target.read_text()  # the first update is not lost
    assert "two" not in target.read_text()
    assert temporaries(tmp_path) == []


def test_two_writers_of_a_hard_linked_file_one_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    os.link(target, tmp_path / "other")
    first, second = read_mlmodel(target), read_mlmodel(target)
    first["run_id"] = "one"
    first.write()
    second["run_id"] = "two"  # same size: only the content tells
    with pytest.raises(ChangedOnDiskError):
        second.write()
    assert "run_id: one" in (tmp_path / "other").read_text()


def test_a_document_can_be_written_twice_and_a_touch_is_no_change(tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    document = read_mlmodel(target)
    document["run_id"] = "one"
    document.write()
    os.utime(target, ns=(1, 1))  # only the time changed: no update can be lost
    document["run_id"] = "two"
    document.write()
    assert "run_id: two" in target.read_text()


def test_a_removed_file_is_not_written_back(tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    document = read_mlmodel(target)
    target.unlink()
    document["run_id"] = "one"
    with pytest.raises(ChangedOnDiskError, match="removed since it was read"):
        document.write()
    assert not target.exists()


def test_concurrent_lint_fix_and_an_edit_never_lose_an_update(tmp_path: Path) -> None:
    """A `lint --fix` paused before its rename while another writer updates the file:
    it must exit 2 with "changed on disk; not written", and the other update stays."""
    target = tmp_path / "MLmodel"
    target.write_text(FIXABLE)
    pause = tmp_path / "pause"
    process = mlmodel_cli(
        "lint", "--fix", "--no-check-files", "--select", "MLM101", str(target),
        pause=pause,
    )  # fmt: skip
    wait_for(Path(f"{pause}.ready"), process)
    other = read_mlmodel(target)
    other["run_id"] = "from the other writer"
    other.write()
    Path(f"{pause}.go").touch()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert b"changed on disk since it was read (replaced); not written" in err
    assert "run_id: from the other writer" in target.read_text()
    assert "python_version: 3.10" in target.read_text()  # the fix was not written over it
    assert temporaries(tmp_path) == []


def test_two_concurrent_runs_one_writes_the_other_is_refused(tmp_path: Path) -> None:
    """`lint --fix` and `convert --upgrade --in-place` read the same file, both paused
    before their rename: the first to go on writes, the second is refused."""
    target = tmp_path / "MLmodel"
    target.write_text("time_created: 2018-05-25T17:28:53.35\n" + FIXABLE)
    first, second = tmp_path / "first", tmp_path / "second"
    lint = mlmodel_cli(
        "lint", "--fix", "--no-check-files", "--select", "MLM101", str(target),
        pause=first,
    )  # fmt: skip
    upgrade = mlmodel_cli("convert", "--upgrade", "--in-place", str(target), pause=second)
    wait_for(Path(f"{first}.ready"), lint)
    wait_for(Path(f"{second}.ready"), upgrade)
    Path(f"{first}.go").touch()
    lint.communicate(timeout=60)
    assert lint.returncode == 0  # fixed and written
    fixed = target.read_text()
    assert "python_version: '3.10'" in fixed and "time_created: 2018" in fixed
    Path(f"{second}.go").touch()
    _, err = upgrade.communicate(timeout=60)
    assert upgrade.returncode == 2
    assert b"changed on disk since it was read (replaced); not written" in err
    assert target.read_text() == fixed
    assert temporaries(tmp_path) == []


# -- signals and stale temporaries ----------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_at_fsync_leaves_the_file_and_no_temporary(tmp_path: Path, signum: int) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    pause = tmp_path / "pause"
    process = mlmodel_cli("convert", str(tmp_path), "--to", "json", "--in-place", pause=pause)
    wait_for(Path(f"{pause}.ready"), process)
    assert len(temporaries(tmp_path)) == 1  # written and fsynced, not yet renamed
    process.send_signal(signum)
    process.communicate(timeout=60)
    assert process.returncode != 0
    if signum != signal.SIGINT:
        assert process.returncode == -signum  # died of the signal, as without the handler
    assert target.read_text() == MODEL
    assert temporaries(tmp_path) == []


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(MODEL)
    pause = tmp_path / "pause"
    process = mlmodel_cli("convert", str(tmp_path), "--to", "json", "--in-place", pause=pause)
    wait_for(Path(f"{pause}.ready"), process)
    process.kill()  # SIGKILL cannot be caught: the temporary stays
    process.communicate(timeout=60)
    (left,) = temporaries(tmp_path)
    assert target.read_text() == MODEL
    unrelated = tmp_path / f".other.{process.pid}.0123abcd{TEMP_SUFFIX}"
    unrelated.write_text("another file's temporary")
    write_file(target, b"next run\n")
    assert temporaries(tmp_path) == [unrelated.name]  # only this file's are swept on a write
    assert remove_stale_temporaries(tmp_path) == [unrelated]
    assert left not in temporaries(tmp_path)


def test_a_live_writers_temporary_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / f".MLmodel.{os.getppid()}.0123abcd{TEMP_SUFFIX}"
    mine.write_text("in progress")
    assert remove_stale_temporaries(tmp_path, "MLmodel") == []
    assert mine.exists()


# -- atomic directories -------------------------------------------------------------------


def test_atomic_directory_appears_whole(tmp_path: Path) -> None:
    final = tmp_path / "deep" / "model"
    with umask(0o022), atomic_directory(final) as folder:
        assert folder.parent == final.parent and not final.exists()
        (folder / "MLmodel").write_text(MODEL)
        (folder / "data").mkdir()
        (folder / "data" / "model.pkl").write_bytes(b"\x80\x04N.")
    assert (final / "MLmodel").read_text() == MODEL
    assert (final / "data" / "model.pkl").exists()
    assert mode(final) == 0o755
    assert temporaries(final.parent) == []


def test_atomic_directory_leaves_nothing_when_the_block_fails(tmp_path: Path) -> None:
    final = tmp_path / "model"
    with pytest.raises(RuntimeError), atomic_directory(final) as folder:
        (folder / "MLmodel").write_text(MODEL)
        raise RuntimeError("save failed half-way")
    assert list(tmp_path.iterdir()) == []


def test_atomic_directory_never_overwrites_a_non_empty_directory(tmp_path: Path) -> None:
    final = tmp_path / "model"
    final.mkdir()
    (final / "MLmodel").write_text(MODEL)
    with pytest.raises(FileExistsError, match="not empty"), atomic_directory(final):
        raise AssertionError("the block must not run")
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError), atomic_directory(tmp_path / "file"):
        raise AssertionError("the block must not run")
    assert (final / "MLmodel").read_text() == MODEL


def test_atomic_directory_refuses_a_directory_that_appears_meanwhile(tmp_path: Path) -> None:
    final = tmp_path / "model"
    with pytest.raises(FileExistsError), atomic_directory(final) as folder:
        (folder / "MLmodel").write_text("mine")
        final.mkdir()
        (final / "MLmodel").write_text("theirs")
    assert (final / "MLmodel").read_text() == "theirs"
    assert temporaries(tmp_path) == []


def test_atomic_directory_replaces_an_empty_directory(tmp_path: Path) -> None:
    final = tmp_path / "model"
    final.mkdir()
    with atomic_directory(final) as folder:
        (folder / "MLmodel").write_text(MODEL)
    assert (final / "MLmodel").read_text() == MODEL


def test_sigterm_during_an_atomic_directory_leaves_nothing(tmp_path: Path) -> None:
    final = tmp_path / "model"
    pause = tmp_path / "pause"
    script = tmp_path / "write_model.py"
    script.write_text(
        "import sys; from pathlib import Path; from mlmodel.core.fsio import atomic_directory\n"
        "with atomic_directory(sys.argv[1]) as d:\n"
        "    (d / 'MLmodel').write_text('x')\n"
    )
    process = subprocess.Popen(
        paused(pause, str(script), str(final)), env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    deadline = time.monotonic() + 30
    while not Path(f"{pause}.ready").exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    process.terminate()
    assert process.wait(timeout=30) == -signal.SIGTERM
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pause.ready", "write_model.py"]
