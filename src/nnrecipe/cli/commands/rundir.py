"""A run directory always holds one whole run: locked while a run writes, replaced at once.

A run (``train``, ``improve``, ``tune``, ``compare``) into ``--out d``:

1. takes an exclusive ``flock`` on ``.d.lock`` beside ``d``; a second run into ``d`` while
   the first writes is refused with a message naming the process that holds it;
2. removes what runs killed earlier left beside ``d`` (``.d.partial-<pid>`` directories:
   the lock proves their writers are gone), except a killed ``tune`` run's study journal,
   kept as ``d.killed-<pid>.study.journal`` so its trials can be resumed;
3. writes every file into ``.d.partial-<pid>`` and, last, the manifest ``.nnrecipe-run.json``
   (the command and the list of the run's files);
4. puts the new set in place at once: when ``d`` is new, empty or holds one earlier run and
   nothing else (every file listed in its manifest), the staging directory is renamed into
   place (an atomic exchange with ``renameat2`` on Linux; elsewhere two renames, between
   which ``d`` is briefly absent), so a reader sees the old complete set or the new one and
   a run killed at any moment leaves the old run whole. A directory that also holds files
   nnrecipe did not write (``--out .``) is never moved: the new files replace the old run's
   one by one, the old run's other files are removed, and the manifest comes last.

What may be removed or replaced is decided by the manifest, which is read as untrusted input
(a run folder may come from someone else): every entry must be a relative path that stays
inside the run directory (no absolute paths, no ``..``, no symbolic link on the way or at the
end), or the run is refused before it starts and nothing is deleted. Of the listed files, only
those whose bytes still match the SHA-256 the manifest recorded count as the earlier run's
(a manifest from before digests were recorded: only the names nnrecipe writes, at the top
level). Files that are not the earlier run's are the user's: a run that would write over one
of them is refused, naming them, unless ``force`` is given (``--force``).

The command is told (on standard error) when its run replaces an earlier one.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path, PurePosixPath

from ..._files import atomic_write

MANIFEST = ".nnrecipe-run.json"
STUDY = "study.journal"  # nnrecipe tune's default study storage
# what runs write, for manifests written before digests were recorded
RUN_NAMES = frozenset({"model.npz", "result.json", "config.toml", "report.html", STUDY})
RUN_SUFFIXES = (".png",)
MAX_MANIFEST_BYTES = 1 << 20
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100

try:
    import fcntl
except ImportError:  # Windows: runs are not locked there
    fcntl = None


class RunDirectory:
    """``with RunDirectory(out, command) as run``: write into ``run.path``; ``run.final`` is
    where the run ends up and ``run.public(x)`` names paths by it; :meth:`commit` (or a
    clean exit of the block) puts the run in place; an exception discards it."""

    def __init__(self, out, command: str, force: bool = False):
        self.force = bool(force)
        self._default = out is None  # runs/<time>: a new directory, -2, -3... when taken
        self._base = Path("runs") / time.strftime("%Y%m%d-%H%M%S") if out is None else None
        self._place(self._base if out is None else Path(out))
        if self.final.exists() and not self.final.is_dir():
            raise ValueError(f"--out {str(out)!r} is a file; give a directory for the run")
        self.command = command
        self._lock_fd: int | None = None
        self._kept: list[Path] = []
        self.replaced: dict | None = None
        self.committed = False

    def _place(self, final: Path) -> None:
        self.final = final
        self._abs = final.resolve()
        self._lock_path = self._abs.parent / f".{self._abs.name}.lock"
        self.path = self._abs.parent / f".{self._abs.name}.partial-{os.getpid()}"

    # ----------------------------------------------------------------- lock
    def __enter__(self) -> RunDirectory:
        self._abs.parent.mkdir(parents=True, exist_ok=True)
        i = 2
        while True:
            if not (self._default and self.final.exists()):
                try:
                    self._lock()
                    break
                except ValueError:
                    if not self._default:
                        raise
            self._place(self._base.with_name(f"{self._base.name}-{i}"))  # a run started
            i += 1  # in the same second took it
        try:
            self._check_existing()  # before any work: a refusal costs the user nothing
            for stale in self._abs.parent.glob(f".{self._abs.name}.partial-*"):
                self._remove_stale(stale)  # writers killed earlier
            self.path.mkdir()
        except BaseException:
            self._unlock()
            raise
        return self

    def _check_existing(self) -> None:
        """Refuse, before the run starts, a directory whose manifest lists paths outside it,
        or that holds the user's own files under the names a run writes."""
        if not self._abs.is_dir():
            return
        old = _manifest(self._abs)
        mine = set(_files(self._abs)) - _earlier_run(self._abs, old) - {MANIFEST}
        _refuse_overwrite(self.final, sorted(n for n in mine if _run_name(n)), self.force)

    def _remove_stale(self, stale: Path) -> None:
        """Remove a killed run's staging directory, keeping its study journal (a killed
        ``tune`` run's trials) beside the run directory, where ``--resume`` can find it."""
        journal = stale / STUDY
        if journal.is_file():
            pid = stale.name.rsplit("-", 1)[-1]
            kept = self._abs.parent / f"{self._abs.name}.killed-{pid}.{STUDY}"
            os.replace(journal, kept)
            print(
                f"note: a killed run left its study in {kept}; continue it with "
                f"nnrecipe tune --storage {kept} --resume",
                file=sys.stderr,
            )
        shutil.rmtree(stale, ignore_errors=True)

    def _lock(self) -> None:
        if fcntl is None:
            return
        while True:
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
                os.close(fd)
                raise ValueError(
                    f"--out {str(self.final)!r} is in use: another nnrecipe run ({holder}) is "
                    "writing into it; wait for it to finish, or give another --out"
                ) from None
            try:  # the holder before us may have removed the file: lock the one in place
                same = os.stat(self._lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"pid {os.getpid()}, nnrecipe {self.command}".encode())
                self._lock_fd = fd
                return
            os.close(fd)

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._lock_path)  # still held: the next run creates a fresh one
            os.close(self._lock_fd)
            self._lock_fd = None

    def __exit__(self, exc_type, exc, tb) -> None:
        if isinstance(exc, ValueError | OSError):  # name the run's place, not the staging one
            if isinstance(exc, OSError) and exc.filename is not None:
                exc.filename = str(self.public(str(exc.filename)))
            elif exc.args and isinstance(exc.args[0], str):
                exc.args = (exc.args[0].replace(str(self.path), str(self.final)), *exc.args[1:])
        try:
            if exc_type is None and not self.committed:
                self.commit()
        finally:
            shutil.rmtree(self.path, ignore_errors=True)
            self._unlock()

    # ----------------------------------------------------------------- paths
    def public(self, obj):
        """``obj`` with every path (or string) inside the staging directory named by its
        final place; lists, tuples and dicts are mapped through."""
        if isinstance(obj, dict):
            return {k: self.public(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return type(obj)(self.public(v) for v in obj)
        if isinstance(obj, Path | str):
            text, staged = str(obj), str(self.path)
            if text == staged or text.startswith(staged + os.sep):
                text = str(self.final) + text[len(staged) :]
            return Path(text) if isinstance(obj, Path) else text
        return obj

    def keep(self, path) -> None:
        """A file inside the final directory that this run uses in place (a study resumed in
        its old run directory): it moves into the new run instead of being replaced."""
        path = Path(path).resolve()
        if path.is_relative_to(self._abs):
            self._kept.append(path.relative_to(self._abs))

    # ----------------------------------------------------------------- commit
    def commit(self) -> Path:
        """Put the staged run in place of ``final`` (see the module docstring)."""
        old = _manifest(self._abs)
        for rel in self._kept:
            if (self._abs / rel).is_file() and not (self.path / rel).exists():
                (self.path / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(self._abs / rel, self.path / rel)
        files = _files(self.path)
        manifest = {"command": self.command, "finished": time.strftime("%Y-%m-%dT%H:%M:%S")}
        digests = {rel: _digest(self.path / rel) for rel in files}
        text = json.dumps({**manifest, "files": files, "sha256": digests}, indent=1).encode()
        atomic_write(self.path / MANIFEST, lambda f: f.write(text))
        existing = set(_files(self._abs)) if self._abs.is_dir() else set()
        earlier = _earlier_run(self._abs, old)
        mine = existing - earlier - {MANIFEST}
        overwritten = sorted(mine & set(files))
        _refuse_overwrite(self.final, overwritten, self.force)
        if not self._abs.exists() or not any(self._abs.iterdir()):
            with contextlib.suppress(FileNotFoundError):
                self._abs.rmdir()
            os.rename(self.path, self._abs)
        elif not mine and not any(p.is_dir() for p in _subdirs(self._abs)):
            _exchange(self.path, self._abs)
        else:
            self._merge(earlier, files)
        if earlier:
            self.replaced = old
        elif overwritten:
            self.replaced = {"overwritten": overwritten}
        self.committed = True
        return self.final

    def _merge(self, earlier: set[str], files: list[str]) -> None:
        """Into a directory holding other files: the run's files one by one, manifest last;
        of what was there, only the earlier run's own files are removed."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._abs / MANIFEST)  # from here on it is not a complete run
        for rel in files:
            (self._abs / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path / rel, self._abs / rel)
        for rel in earlier - set(files) - {MANIFEST}:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._abs / rel)
        os.replace(self.path / MANIFEST, self._abs / MANIFEST)

    def note(self) -> str | None:
        """The line that tells the user this run replaced an earlier one (None if not)."""
        if self.replaced is None:
            return None
        if "overwritten" in self.replaced:
            names = ", ".join(self.replaced["overwritten"])
            return f"note: --force: this run wrote over your files in {self.final}/: {names}"
        when = self.replaced.get("finished")
        return (
            f"note: this run replaced the earlier {self.replaced.get('command', 'nnrecipe')} "
            f"run in {self.final}/" + (f" (finished {when})" if when else "")
        )


def _files(directory: Path) -> list[str]:
    """Every file under ``directory``, as sorted relative POSIX paths."""
    return sorted(
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() or p.is_symlink()
    )


def _subdirs(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.is_dir() and not p.is_symlink()]


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _run_name(rel: str) -> bool:
    """A name a run writes (at the top level of its directory)."""
    return "/" not in rel and (rel in RUN_NAMES or rel.endswith(RUN_SUFFIXES))


def _manifest(directory: Path) -> dict | None:
    """The manifest of ``directory``, its entries checked (None when there is none, or it is
    not a manifest at all); a manifest that names a path outside the directory is refused."""
    path = directory / MANIFEST
    try:
        if path.is_symlink() or path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        data = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None
    bad = [entry for entry in data["files"] if not _inside(directory, entry)]
    if bad:
        shown = ", ".join(repr(str(b)[:200]) for b in bad[:5])
        raise ValueError(
            f"{path} lists files outside its run directory ({shown}); nnrecipe removes only "
            "the files it wrote inside a run directory, and has deleted nothing. Delete that "
            "manifest if the directory is yours, or give another --out"
        )
    return data


def _inside(directory: Path, entry) -> bool:
    """``entry`` is a relative path that stays in ``directory`` with no link on the way."""
    if not isinstance(entry, str) or not entry or "\\" in entry or "\0" in entry:
        return False
    rel = PurePosixPath(entry)
    if rel.is_absolute() or any(part in ("", ".", "..") for part in entry.split("/")):
        return False
    here = directory
    for part in rel.parts:
        here = here / part
        if here.is_symlink():
            return False
    return True


def _earlier_run(directory: Path, old: dict | None) -> set[str]:
    """The files in ``directory`` that the earlier run wrote: listed in its manifest, and
    still the bytes it recorded (older manifests: the names a run writes)."""
    if old is None:
        return set()
    digests = old.get("sha256")
    found = set()
    for rel in old["files"]:
        path = directory / rel
        if not path.is_file() or path.is_symlink():
            continue
        if isinstance(digests, dict):
            if digests.get(rel) == _digest(path):
                found.add(rel)
        elif _run_name(rel):
            found.add(rel)
    return found


def _refuse_overwrite(final: Path, names: list[str], force: bool) -> None:
    if names and not force:
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        raise ValueError(
            f"--out {str(final)!r} holds files that nnrecipe did not write there ({shown}); "
            "a run would replace them. Give another --out, or --force to write over them"
        )


def _exchange(new: Path, final: Path) -> None:
    """Swap the directories ``new`` and ``final`` (atomically where the OS can); ``new``
    then holds the old run, which the caller removes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        code = renameat2(AT_FDCWD, os.fsencode(new), AT_FDCWD, os.fsencode(final), RENAME_EXCHANGE)
        if code == 0:
            return
    aside = final.with_name(f".{final.name}.old-{os.getpid()}")
    os.rename(final, aside)
    os.rename(new, final)
    os.rename(aside, new)
