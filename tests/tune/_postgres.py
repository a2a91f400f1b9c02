"""A private PostgreSQL server on loopback for the distributed-tuning tests.

``shared_storage()`` yields ``(url, backend, reason)``: a ``postgresql://`` URL of a throw-away
cluster (initdb in a temporary directory, started with pg_ctl on a free port, stopped and
deleted afterwards), or, when PostgreSQL cannot run here, an SQLite file URL with the
reason. When the server binaries are missing and we are root on Debian, they are installed
from Debian's ``postgresql`` package first. Root cannot run the server, so it runs as the
``postgres`` user. ``NNRECIPE_TEST_POSTGRES=0`` turns PostgreSQL off.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class Unavailable(Exception):
    pass


def _bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return os.path.dirname(found[-1])
    for exe in ("pg_config",):
        if shutil.which(exe):
            out = subprocess.run([exe, "--bindir"], capture_output=True, text=True).stdout.strip()
            if os.path.exists(os.path.join(out, "initdb")):
                return out
    initdb = shutil.which("initdb")
    return os.path.dirname(os.path.realpath(initdb)) if initdb else None


def _version(path: str) -> float:
    try:
        return float(path.split("/")[4])
    except (IndexError, ValueError):
        return 0.0


def _install() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise Unavailable("PostgreSQL is not installed and we are not root on Debian/Ubuntu")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise Unavailable(f"`{' '.join(cmd)}` failed: {done.stderr.strip()[-300:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd, user, timeout=60):
    done = subprocess.run(cmd, user=user, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise Unavailable(f"`{os.path.basename(cmd[0])}` failed: {done.stderr.strip()[-300:]}")


@contextlib.contextmanager
def postgres_server():
    """Yield the URL of a fresh PostgreSQL database; raise Unavailable if it cannot start."""
    if os.environ.get("NNRECIPE_TEST_POSTGRES", "1") == "0":
        raise Unavailable("disabled by NNRECIPE_TEST_POSTGRES=0")
    try:
        import psycopg2
    except ImportError:
        raise Unavailable(
            "the psycopg2 driver is not installed (pip install psycopg2-binary)"
        ) from None
    bindir = _bindir()
    if bindir is None:
        _install()
        bindir = _bindir()
        if bindir is None:
            raise Unavailable("apt-get installed postgresql but no initdb was found")
    user = "postgres" if os.geteuid() == 0 else None  # root may not run the server
    root = tempfile.mkdtemp(prefix="nnrecipe-pg-")
    data = os.path.join(root, "data")
    if user is not None:
        try:
            shutil.chown(root, user, user)
        except LookupError:
            shutil.rmtree(root, ignore_errors=True)
            raise Unavailable("there is no 'postgres' user to run the server as") from None
    port = _free_port()
    started = False
    try:
        _run(
            [
                f"{bindir}/initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            user,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run(
            [
                f"{bindir}/pg_ctl",
                "-D",
                data,
                "-l",
                f"{root}/log",
                "-w",
                "-t",
                "30",
                "-o",
                options,
                "start",
            ],
            user,
        )
        started = True
        _run(
            [
                f"{bindir}/createdb",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "nnrecipe",
            ],
            user,
        )
        url = f"postgresql://postgres@127.0.0.1:{port}/nnrecipe"
        psycopg2.connect(url).close()
        yield url
    finally:
        if started:
            subprocess.run(
                [f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                user=user,
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def shared_storage(fallback_dir: Path):
    """``(url, backend, reason)``: PostgreSQL when it starts, else an SQLite file and why."""
    try:
        with postgres_server() as url:
            yield url, "postgresql", ""
            return
    except Unavailable as exc:
        reason = str(exc)
    except (OSError, subprocess.SubprocessError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    yield f"sqlite:///{fallback_dir / 'study.db'}", "sqlite", reason
