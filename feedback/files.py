"""Files the app writes whole (the key ring, backups): private from the first byte, then moved into place at once.

And files others write for it (the SQLite database): made private before they are opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield an empty file beside target (mode 600) to fill; then make it durable and rename it over target.

    The rename is made durable too (the folder is synced), so a crash leaves either the old file or the
    new one, whole. If filling it fails, the partial file is removed and target is left as it was.
    """
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
    finally:
        os.close(fd)
    try:
        yield partial
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def keep_private(path: Path, create: bool = False) -> None:
    """Make path readable and writable by its owner only (0600), creating it empty first when create is set.

    Never opens the file: closing any descriptor of a file drops every POSIX lock this process holds on it,
    and SQLite's locks on the database, -wal and -shm are such locks. Nothing happens when path does not
    exist (and, with create, when its folder does not).
    """
    if create:
        try:
            os.mknod(path, 0o600 | stat.S_IFREG)
        except (FileExistsError, FileNotFoundError):
            pass
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_IMODE(mode) & 0o077:
        os.chmod(path, 0o600)
