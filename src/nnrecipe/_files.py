"""Safe file writes: a file is written whole or not at all.

``atomic_write`` writes to a temporary file beside the target, flushes it to disk and renames
it over the target: a crash or Ctrl-C mid-write leaves the old file (or none), never half of
a new one, because a rename within one directory is atomic on POSIX and Windows.

A writer killed outright (SIGKILL, power loss) cannot remove its temporary file. Each writer
holds an exclusive ``flock`` on its temporary file while it writes, so the next write to the
same path can tell a dead writer's leftover (lockable) from a live concurrent write (locked)
and removes only the leftovers.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; leftovers are not cleaned there
    fcntl = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_prefix(path: Path) -> str:
    """The name prefix of ``path``'s temporary files: ``.<name>.``."""
    return f".{path.name}."


def remove_stale_temps(path) -> list[Path]:
    """Remove the temporary files of earlier writes to ``path`` whose writer is gone (no
    process holds their lock); return the paths removed."""
    path = Path(path)
    removed: list[Path] = []
    if fcntl is None or not path.parent.is_dir():
        return removed
    for tmp in path.parent.glob(f"{temp_prefix(path)}*.tmp"):
        if tmp.is_symlink() or not tmp.is_file():
            continue
        try:
            fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a live writer holds it
            os.close(fd)
            continue
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
                removed.append(tmp)
        finally:
            os.close(fd)  # releases the lock
    return removed


def _locked_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path``, open and locked by this process."""
    while True:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
        if fcntl is None:
            return fd, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink > 0:
            return fd, tmp
        os.close(fd)  # a cleaner took it for a leftover in the instant before the lock: retry


def atomic_write(path, write) -> Path:
    """Call ``write(file_object)`` on a temp file beside ``path`` and rename it over ``path``;
    leftovers of killed earlier writes to ``path`` are removed first."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; give the path of a file to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    fd, tmp = _locked_temp(path)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, path)  # still locked: a cleaner never takes a file being renamed
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename in (None, tmp):  # a full disk: name the
            raise OSError(exc.errno, exc.strerror, str(path)) from exc  # file the user asked for
        raise
    return path
