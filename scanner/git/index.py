"""The blob ids git's index vouches for in a work tree (issue 19): a tracked file whose stat (size, mtime,
ctime, inode) is the one the index recorded holds the content the index names, as `git status` trusts, so a
re-scan with a warm result cache can skip it unread when that id is known clean.

Only where the bytes on disk are the blob's bytes: no filter driver, attributes file nor line-ending
conversion that could change them (else None: every file is read), an entry git would not stat
(assume-unchanged, skip-worktree, intent-to-add, a conflict) is left out, and so is one modified in the
second the index was written (git's "racily clean" case)."""

from __future__ import annotations

import os
from pathlib import Path

from scanner.errors import GitError
from scanner.git.run import Running

# (blob id, size, mtime ns, ctime ns, inode) as the index recorded them, by path relative to the top level.
Vouched = dict[str, tuple[str, int, int, int, int]]
_REGULAR = (b"100644", b"100755")


class IndexIds:
    """The index's listing of the work tree holding `folder`, started now and parsed when first asked."""

    def __init__(self, folder: str) -> None:
        where = self._folder = Path(folder)
        self._listing = Running(where, "ls-files", "-s", "-v", "--debug", "-z", "--full-name")
        self._paths = Running(where, "rev-parse", "--show-toplevel", "--git-path", "index", "--git-dir")
        # A filter driver (git-crypt, LFS) keeps on disk what the blob lacks, whichever attributes file
        # names it: an untracked one in a subfolder too, which no listing here would see.
        self._config = Running(
            where, "config", "--get-regexp", r"^(core\.(autocrlf|attributesfile)|filter\..*)$"
        )
        self._parsed: tuple[str, Vouched] | None = None
        self._done = False

    def vouched(self) -> tuple[str, Vouched] | None:
        """The top level of the work tree and its vouched entries; None when the index is not trusted."""
        if not self._done:
            self._done = True
            try:
                self._parsed = self._parse()
            except (GitError, OSError, ValueError, IndexError):
                self._parsed = None
        return self._parsed

    def close(self) -> None:
        for running in (self._listing, self._paths, self._config):
            running.close()

    def _parse(self) -> tuple[str, Vouched] | None:
        if self._config.failure() is None:  # exit 0: autocrlf, an attributes file or a filter is set
            return None
        lines = self._paths.output().decode("utf-8", "surrogateescape").splitlines()
        top, index, git_dir = lines[0], self._folder / lines[1], self._folder / lines[2]  # relative: to it
        if _attributes(top, git_dir):
            return None
        written = os.stat(index).st_mtime_ns
        listing = self._listing.output()
        entries = _entries(listing, written)
        if entries is None:
            return None
        return top, entries


def _attributes(top: str, git_dir: Path) -> bool:
    """Whether an attributes file outside the index may apply (the index's own are checked by _entries)."""
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    places = [
        os.path.join(top, ".gitattributes"),
        str(git_dir / "info" / "attributes"),
        os.path.join(config, "git", "attributes"),
        "/etc/gitattributes",
    ]
    return any(os.path.exists(place) for place in places)


def _entries(listing: bytes, written: int) -> Vouched | None:
    """Parse `ls-files -s -v --debug -z`: a record per entry, `TAG MODE OID STAGE<TAB>PATH<NUL>` and lines of
    stat data. None when the index holds an attributes file."""
    out: Vouched = {}
    records = listing.split(b"\0")
    head = records[0]
    for rest in records[1:]:
        tag_mode, path = head.split(b"\t", 1)
        *stat, head = rest.split(b"\n", 5)  # five lines of stat data, then the next record's head
        name = path.decode("utf-8", "surrogateescape")
        if name == ".gitattributes" or name.endswith("/.gitattributes"):
            return None
        tag, mode, oid, stage = tag_mode.split(b" ")
        if tag != b"H" or stage != b"0" or mode not in _REGULAR:
            continue
        facts = _facts(stat)
        if facts.get(b"flags") != b"0":
            continue
        mtime = _nanoseconds(facts[b"mtime"])
        if mtime >= written:  # racily clean: the file may have changed after git hashed it
            continue
        out[name] = (
            oid.decode(),
            int(facts[b"size"]),
            mtime,
            _nanoseconds(facts[b"ctime"]),
            int(facts[b"ino"]),
        )
    return out


def _nanoseconds(stamp: bytes) -> int:
    seconds, nanoseconds = stamp.split(b":")
    return int(seconds) * 1_000_000_000 + int(nanoseconds)


def _facts(stat: list[bytes]) -> dict[bytes, bytes]:
    facts: dict[bytes, bytes] = {}
    for field in b"\t".join(stat).split(b"\t"):
        key, sep, value = field.strip().partition(b": ")
        if sep:
            facts[key] = value
    return facts
