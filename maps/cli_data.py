"""``riskmap data``: list, fetch, verify and locate the population grids of the registry.

``riskmap data list`` shows every product (release, epochs, resolution, CRS, whom it
counts, licence, how it is obtained) and what is in the cache with its size;
``riskmap data fetch NAME[:YEAR] [--year Y] [--bbox W,S,E,N | --around SOURCE
[--radius R]]`` downloads it (tiled products only the tiles the area touches) and
prints the path to open; ``riskmap data verify`` checks every cached file against the
lock file; ``riskmap data path NAME`` prints where a product lives in the cache;
``riskmap data forget KEY`` removes a lock entry so a republished file is trusted
again on its next download.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_data_parser", "run_data"]


def add_data_parser(sub: Any) -> None:
    """Add the ``data`` command and its sub-commands to the ``riskmap`` parser.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``riskmap`` parser's sub-commands.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="riskmap")
    >>> add_data_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["data", "fetch", "ghs-pop-100m", "--bbox", "131,42,133,44"])
    >>> args.data_command, args.name, args.bbox
    ('fetch', 'ghs-pop-100m', '131,42,133,44')
    """
    p = sub.add_parser("data", help="population grids: list, fetch, verify, path")
    dsub = p.add_subparsers(dest="data_command", required=True)
    dsub.add_parser("list", help="products, what is cached, sizes")
    f = dsub.add_parser("fetch", help="download a product (verified) and print its path")
    f.add_argument("name", help="product, e.g. ghs-pop:2020 or worldpop-1km:2020:PRK")
    f.add_argument("--year", type=int, help="epoch (one of the product's)")
    area = f.add_mutually_exclusive_group()
    area.add_argument("--bbox", help="W,S,E,N in degrees (W > E crosses ±180)")
    area.add_argument("--around", help="a territory, border or place (as in riskmap exposure)")
    f.add_argument("--radius", help="with --around: the distance around it, e.g. 200km")
    f.add_argument("--refetch", action="store_true", help="download again (still verified)")
    dsub.add_parser("verify", help="check every cached file against the lock file")
    q = dsub.add_parser("path", help="where a product lives in the cache")
    q.add_argument("name")
    g = dsub.add_parser("forget", help="remove a lock entry (accept a republished file)")
    g.add_argument("key", help="the file's path in the cache, as `riskmap data verify` lists it")


def _area(args: argparse.Namespace) -> Any:
    if args.bbox:
        parts = [s.strip() for s in args.bbox.split(",")]
        try:
            if len(parts) == 4:
                return tuple(float(s) for s in parts)
        except ValueError:
            pass
        raise ValueError(f"--bbox {args.bbox!r} is not W,S,E,N in degrees, e.g. 130,41,134,45")
    if args.around:
        import shapely

        import geo
        import layers

        geometry = shapely.union_all(layers.resolve_source(args.around).data.geometry.values)
        if args.radius:  # a geometry's buffer is a geometry (a layer's would be a layer)
            geometry = geo.buffer(geometry, geo.parse_distance(args.radius))
        return geometry
    if args.radius:
        raise ValueError("--radius goes with --around SOURCE; add --around or drop --radius")
    return None


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} B"  # pragma: no cover


def _epochs(years: tuple[int, ...]) -> str:
    """Say a product's epochs in words (``epoch 2020``, ``epochs 2000-2020``), not as a tuple.

    Examples
    --------
    >>> _epochs((2020,)), _epochs((1975, 1980, 1985)), _epochs((2000, 2020)), _epochs(())
    ('epoch 2020', 'epochs 1975-1985, every 5 years', 'epochs 2000, 2020', 'epochs -')
    """
    if not years:
        return "epochs -"
    if len(years) == 1:
        return f"epoch {years[0]}"
    steps = {b - a for a, b in zip(years[:-1], years[1:], strict=True)}
    if len(years) > 2 and len(steps) == 1:
        step = steps.pop()
        every = f", every {step} years" if step > 1 else ""
        return f"epochs {years[0]}-{years[-1]}{every}"
    return "epochs " + ", ".join(map(str, years))


def _cmd_list() -> int:
    from layers.cache import cache_dir, verify_cache
    from layers.grid_products import PRODUCTS
    from layers.lockfile import lock_path

    files = verify_cache()
    print(f"cache: {cache_dir()}  (lock file: {lock_path(cache_dir())})")
    for name, p in sorted(PRODUCTS.items()):
        epochs = _epochs(tuple(p.epochs))
        how = "download" if p.access == "download" else "local file (login/licence)"
        extra = ", tiled" if p.tiles else ", per country" if p.per_country else ""
        print(f"{name}: {p.title}")
        print(
            f"  {p.version}; {epochs} (default {p.default_year}); {p.resolution}, {p.crs}; "
            f"{p.kind}, {p.population}; {p.licence}; {how}{extra}"
        )
        mine = [f for f in files if f.key.split("/")[0] == name and f.state != "missing"]
        if mine:
            total = sum(f.path.stat().st_size for f in mine)
            print(f"  cached: {len(mine)} file(s), {_size(total)}")
    return 0


def _cmd_verify() -> int:
    from layers.cache import verify_cache

    files = verify_cache()
    bad = 0
    for f in files:
        size = _size(f.path.stat().st_size) if f.path.exists() else "-"
        print(f"{f.state:10} {f.key} ({size})")
        bad += f.state in ("changed", "missing")
    print(f"{len(files)} file(s); {bad} changed or missing")
    return 1 if bad else 0


def run_data(args: argparse.Namespace) -> int:
    """Run ``riskmap data ...``; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed by a parser with :func:`add_data_parser`.

    Returns
    -------
    int
        0 on success; 1 when ``verify`` finds a changed or missing file.

    Examples
    --------
    >>> import argparse
    >>> args = argparse.Namespace(data_command="path", name="gpw:2020")
    >>> run_data(args) == 0  # doctest: +ELLIPSIS
    /.../gpw/gpw_v4_population_count_rev11_2020_30_sec.tif
    True
    """
    # The cache and the registry load here, not with the parser: `riskmap --help` stays quick.
    from layers.cache import forget
    from layers.grid_products import fetch_grid, product_path

    command = args.data_command
    if command == "list":
        return _cmd_list()
    if command == "verify":
        return _cmd_verify()
    if command == "path":
        print(product_path(args.name))
        return 0
    if command == "forget":
        entry = forget(args.key)
        print(f"forgot {args.key}" if entry else f"no lock entry for {args.key}")
        return 0
    named = [p.strip() for p in args.name.split(":")[1:] if p.strip().isdigit()]
    if args.year is not None and named and int(named[0]) != args.year:
        raise ValueError(
            f"{args.name!r} names the year {named[0]} and --year {args.year} another; give the "
            f"year once, e.g. {args.name.split(':')[0]}:{args.year} without --year"
        )
    got = fetch_grid(args.name, year=args.year, area=_area(args), refetch=args.refetch)
    print(got.path)
    if got.pieces:
        print(f"  {len(got.pieces)} piece(s): {', '.join(got.pieces)}")
    if got.missing:
        print(f"  not published (count nobody): {', '.join(got.missing)}")
    return 0
