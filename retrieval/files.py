"""Writing derived files so that a crash at any moment leaves the old file or the new one,
never half of one: write a temporary file beside it, flush it to disk, rename it over."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def temp_pattern(path: Path) -> str:
    """The glob of the temporary files `atomic_write` makes for `path` (to find strays)."""
    return f"{path.name}.*.tmp"


def atomic_write(path: Path, write: Callable[[str], None]) -> None:
    """`write(tmp_name)` writes the content; then it replaces `path` in one rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)  # not mkstemp's 0600
        write(tmp)
        fsync(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def fsync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk, so a rename that follows survives a power cut."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not fsync folders; the rename is still atomic
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    for entry in folder.iterdir():
        fsync(entry)
    fsync(folder)


def remove(path: Path) -> None:
    """Delete a file or a folder, whichever it is."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
