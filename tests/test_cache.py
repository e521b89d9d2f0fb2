"""The download cache: checksums, corrupted downloads, offline mode. No internet is used:
files are served by an HTTP server on 127.0.0.1 started here, or read from file:// URLs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from _http import serve

from geo.errors import DataError, InputError
from layers import cache
from layers.lockfile import LOCK_ENV

PAYLOAD = b"riskmap test payload\n" * 100


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(folder))
    monkeypatch.delenv(cache.OFFLINE_ENV, raising=False)
    monkeypatch.delenv(LOCK_ENV, raising=False)
    return folder


@pytest.fixture
def server(tmp_path):
    """Serve tmp_path/www over HTTP on 127.0.0.1; yields (base_url, folder, hit list)."""
    with serve(tmp_path / "www") as loop:
        (loop.folder / "pop.bin").write_bytes(PAYLOAD)
        hits = _Hits(loop)
        yield loop.base, loop.folder, hits


class _Hits:
    """The paths the server was asked for, compared like a list."""

    def __init__(self, loop):
        self._loop = loop

    def __eq__(self, other):
        return self._loop.paths() == other

    def __repr__(self):
        return repr(self._loop.paths())


GOOD = hashlib.sha256(PAYLOAD).hexdigest()
WRONG = hashlib.sha256(b"something else").hexdigest()


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(tmp_path / "x"))
    assert cache.cache_dir() == tmp_path / "x"
    monkeypatch.delenv(cache.DATA_DIR_ENV)
    import platformdirs

    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("riskmap"))
    pooch = pytest.importorskip("pooch")
    assert cache.cache_dir() == pooch.os_cache("riskmap")


def test_download_is_verified_and_then_served_from_the_cache(data_dir, server):
    base, _, hits = server
    path = cache.fetch(f"{base}/pop.bin", sha256=GOOD, subdir="grids")
    assert path == data_dir / "grids" / "pop.bin"
    assert path.read_bytes() == PAYLOAD
    assert hits == ["/pop.bin"]
    again = cache.fetch(f"{base}/pop.bin", sha256="sha256:" + GOOD.upper(), subdir="grids")
    assert again == path
    assert hits == ["/pop.bin"]  # no second request


def test_hash_mismatch_raises_and_leaves_nothing(data_dir, server):
    base, _, _ = server
    with pytest.raises(DataError, match=r"'pop.bin'.*corrupt or has changed.*nothing was replaced"):
        cache.fetch(f"{base}/pop.bin", sha256=WRONG)
    assert not data_dir.exists() or list(data_dir.rglob("*")) == []


def test_a_changed_cached_file_is_refused_and_kept_until_refetched(data_dir, server):
    base, _, hits = server
    cache.fetch(f"{base}/pop.bin", sha256=GOOD)
    (data_dir / "pop.bin").write_bytes(b"truncated")
    with pytest.raises(DataError, match=r"cached file .*pop.bin.* changed after it was verified"):
        cache.fetch(f"{base}/pop.bin", sha256=GOOD)
    assert (data_dir / "pop.bin").read_bytes() == b"truncated"  # nothing replaced
    path = cache.fetch(f"{base}/pop.bin", sha256=GOOD, refetch=True)
    assert path.read_bytes() == PAYLOAD
    assert hits == ["/pop.bin", "/pop.bin"]


def test_server_changed_file_is_not_kept_over_the_cached_copy(data_dir, server):
    base, www, _ = server
    cache.fetch(f"{base}/pop.bin", sha256=GOOD)
    (www / "pop.bin").write_bytes(b"a different release")
    with pytest.raises(DataError, match="corrupt or has changed"):
        cache.fetch(f"{base}/pop.bin", sha256=GOOD, refetch=True)
    assert (data_dir / "pop.bin").read_bytes() == PAYLOAD
    assert sorted(p.name for p in data_dir.rglob("*")) == ["pop.bin", "riskmap.lock.json"]


def test_offline_mode_forbids_downloads_and_says_how(data_dir, server, monkeypatch):
    base, _, hits = server
    monkeypatch.setenv(cache.OFFLINE_ENV, "1")
    with pytest.raises(
        DataError, match=r"'pop.bin' is not in the cache.*RISKMAP_OFFLINE=1.*curl -L -o"
    ):
        cache.fetch(f"{base}/pop.bin", sha256=GOOD)
    assert hits == []
    # A file already cached (with the right checksum) is still used offline.
    monkeypatch.delenv(cache.OFFLINE_ENV)
    cache.fetch(f"{base}/pop.bin", sha256=GOOD)
    monkeypatch.setenv(cache.OFFLINE_ENV, "yes")
    assert cache.fetch(f"{base}/pop.bin", sha256=GOOD).read_bytes() == PAYLOAD
    assert hits == ["/pop.bin"]


def test_offline_with_a_bad_cached_copy_says_so(data_dir, monkeypatch):
    data_dir.mkdir(parents=True)
    (data_dir / "pop.bin").write_bytes(b"truncated")
    monkeypatch.setenv(cache.OFFLINE_ENV, "1")
    with pytest.raises(DataError, match=f"has sha256 .*, not {GOOD}"):
        cache.fetch("http://127.0.0.1:9/pop.bin", sha256=GOOD)


def test_file_url(data_dir, tmp_path):
    src = tmp_path / "mirror" / "pop.bin"
    src.parent.mkdir()
    src.write_bytes(PAYLOAD)
    path = cache.fetch(src.as_uri(), sha256=GOOD)
    assert path.read_bytes() == PAYLOAD and path.parent == data_dir
    with pytest.raises(DataError, match="corrupt"):
        cache.fetch(src.as_uri(), sha256=WRONG, filename="other.bin")
    assert not (data_dir / "other.bin").exists()


def test_unreachable_server_is_a_data_error(data_dir):
    unreachable = r"could not reach 'http://127.0.0.1:9/x.bin'.*may be offline"
    with pytest.raises(DataError, match=unreachable):
        cache.fetch("http://127.0.0.1:9/x.bin", sha256=GOOD)


@pytest.mark.parametrize("bad", ["abc", "z" * 64, ""])
def test_bad_sha256_is_refused(data_dir, bad):
    with pytest.raises(InputError, match="is not a SHA-256 digest"):
        cache.fetch("http://127.0.0.1:9/x.bin", sha256=bad)


def test_file_sha256_matches_hashlib(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(PAYLOAD * 20000)
    assert cache.file_sha256(p) == hashlib.sha256(PAYLOAD * 20000).hexdigest()
