#!/usr/bin/python3
"""Checks of SpatiaLite's ellipsoidal area, for the benchmark (run with /usr/bin/python3).

  slcheck.py area PEER.gpkg [N]
      Takes the first N (default 1000) cleared polygons of PEER.gpkg, transformed to lon/lat by
      SpatiaLite, and compares SpatiaLite's ST_Area(geom, 1) with GeographicLib's Planimeter
      (Karney, the algorithm of PROJ's geod_polygonarea that clearcov and PostGIS use) and with
      pyproj.Geod (the GeoPandas peer's area). Prints the relative differences.

  slcheck.py geom PEER.gpkg
      Runs the SpatiaLite peer's query up to the clipped pieces (same SQL as spatialite.sql,
      without the area), and measures the pieces with pyproj.Geod (Karney). Prints
      "name,net_ha" rows: SpatiaLite's geometry with Karney's area.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

import pyproj
from shapely.geometry import shape
from shapely.geometry.polygon import orient

UTM = "'+proj=utm +zone=48 +datum=WGS84 +units=m +no_defs'"
LL = "'+proj=longlat +datum=WGS84 +no_defs'"


def geodesic_area(geod, geom):
    """Karney area in m² of a (multi)polygon, each part oriented first: pyproj adds signed
    ring areas."""
    parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    return sum(geod.geometry_area_perimeter(orient(p, sign=1.0))[0] for p in parts
               if p.geom_type == "Polygon")


def export(gpkg, sql, out):
    subprocess.run(["ogr2ogr", "-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=15", out, gpkg,
                    "-dialect", "SQLite", "-sql", sql],
                   check=True, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)["features"]


def polygons(geometry):
    if geometry is None:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(geometry["type"])


def planimeter(rings):
    """Unsigned area of each ring, in m², from one Planimeter run."""
    text = "\n\n".join("\n".join(f"{x!r} {y!r}" for x, y, *_ in r[:-1]) for r in rings) + "\n"
    out = subprocess.run(["Planimeter", "-w", "-p", "12"], input=text, capture_output=True,
                         text=True, check=True).stdout.split("\n")
    return [abs(float(line.split()[2])) for line in out if line.strip()]


def area_check(gpkg, n):
    sql = (f"SELECT ST_Area(g, 1) AS sl_m2, g FROM (SELECT ST_Transform(geom, 4326, NULL, "
           f"{UTM}, {LL}) AS g FROM cleared WHERE ST_IsValid(geom) = 1 LIMIT {n})")
    with tempfile.TemporaryDirectory() as tmp:
        feats = export(gpkg, sql, os.path.join(tmp, "a.geojson"))
    rings, owners = [], []  # ring -> (feature, sign)
    for i, f in enumerate(feats):
        for poly in polygons(f["geometry"]):
            for k, ring in enumerate(poly):
                rings.append(ring)
                owners.append((i, 1 if k == 0 else -1))
    areas = planimeter(rings)
    karney = [0.0] * len(feats)
    for (i, sign), a in zip(owners, areas):
        karney[i] += sign * a
    geod = pyproj.Geod(ellps="WGS84")
    rel_sl, rel_pp = [], []
    for f, k in zip(feats, karney):
        pp = geodesic_area(geod, shape(f["geometry"]))
        rel_sl.append((f["properties"]["sl_m2"] - k) / k)
        rel_pp.append((pp - k) / k)
    total_sl = sum(f["properties"]["sl_m2"] for f in feats)
    total_k = sum(karney)

    def worst(v):
        return max(v, key=abs)

    print(f"polygons: {len(feats)} (first valid ones of the set, {len(rings)} rings)")
    print(f"SpatiaLite ST_Area(geom,1) vs Planimeter: per polygon max |rel| "
          f"{abs(worst(rel_sl)):.2e}, median |rel| {statistics.median(map(abs, rel_sl)):.2e}, "
          f"mean rel {statistics.mean(rel_sl):+.2e}; sum of areas rel "
          f"{(total_sl - total_k) / total_k:+.2e}; beyond 1e-6: "
          f"{sum(abs(r) > 1e-6 for r in rel_sl)} of {len(rel_sl)}")
    print(f"pyproj Geod vs Planimeter: per polygon max |rel| {abs(worst(rel_pp)):.2e}")


def geom_check(gpkg):
    sql = f"""
WITH u AS MATERIALIZED (
    SELECT ST_Union(CollectionExtract(MakeValid(geom), 3)) AS geom FROM cleared
), p AS (
    SELECT name, ST_Transform(ST_Segmentize(geom, 0.001), 32648, NULL, {LL}, {UTM}) AS geom
    FROM provinces
)
SELECT p.name AS name,
       ST_Transform(ST_Segmentize(ST_Intersection(u.geom, p.geom), 500), 4326, NULL, {UTM}, {LL})
           AS geom
FROM p, u ORDER BY p.name"""
    geod = pyproj.Geod(ellps="WGS84")
    with tempfile.TemporaryDirectory() as tmp:
        feats = export(gpkg, sql, os.path.join(tmp, "g.geojson"))
    print("name,net_ha")
    for f in feats:
        a = geodesic_area(geod, shape(f["geometry"])) / 1e4
        print(f"{f['properties']['name']},{a:.9f}")


if __name__ == "__main__":
    if sys.argv[1] == "area":
        area_check(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1000)
    elif sys.argv[1] == "geom":
        geom_check(sys.argv[2])
    else:
        sys.exit(__doc__)
