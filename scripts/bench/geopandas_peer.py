#!/usr/bin/python3
"""GeoPandas peer of `clearcov report`: per-province net hectares, printed as CSV (name,net_ha).

Run with Debian's interpreter (/usr/bin/python3, python3-geopandas 0.12, shapely 1.8, pyproj 3.4):

    /usr/bin/python3 geopandas_peer.py CLEARED.gpkg PROVINCES.shp

The method, step by step, as clearcov does it:
  1. read the cleared polygons (EPSG:32648) and the provinces (EPSG:4326);
  2. repair every cleared polygon (GeoSeries.make_valid, GEOS MakeValid) and keep polygon parts;
  3. dissolve them all into one (GeoDataFrame.dissolve: unary union), in EPSG:32648;
  4. split the province edges every 0.001 degree in lon/lat (as clearcov and ST_Segmentize do),
     then transform them to EPSG:32648;
  5. overlay(how="intersection") of the dissolved polygons with the provinces, in EPSG:32648;
  6. split the pieces' edges every 500 m in EPSG:32648 (as clearcov splits the cleared
     polygons' edges before it reprojects them: an edge straight in UTM stays where it was),
     transform them to EPSG:4326 and measure them on the WGS84 ellipsoid with
     pyproj.Geod(ellps="WGS84").geometry_area_perimeter (Karney, PROJ's geod_polygonarea),
     each polygon oriented first (the function adds signed ring areas).
"""
import math
import sys
import warnings

import geopandas as gpd
import numpy as np
import pyproj
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

STEP_DEG = 0.001  # province edge split, as clearcov's 100 m in a geographic CRS
STEP_M = 500.0  # cleared edge split in EPSG:32648, as clearcov's 500 m in a projected CRS


def densify_ring(coords, step):
    """Split every edge longer than `step` into ceil(len/step) equal parts (GEOS Densify's rule)."""
    xy = np.asarray(coords, dtype=float)[:, :2]
    out = [xy[0]]
    for p0, p1 in zip(xy[:-1], xy[1:]):
        length = math.hypot(p1[0] - p0[0], p1[1] - p0[1])
        if length > step:
            n = math.ceil(length / step)
            for j in range(1, n):
                out.append(p0 + (p1 - p0) * (j / n))
        out.append(p1)
    return np.array(out)


def densify(geom, step):
    if geom.geom_type == "Polygon":
        return Polygon(densify_ring(geom.exterior.coords, step),
                       [densify_ring(r.coords, step) for r in geom.interiors])
    if geom.geom_type == "MultiPolygon":
        return MultiPolygon([densify(p, step) for p in geom.geoms])
    raise ValueError(f"cannot densify a geometry of type {geom.geom_type}")


def polygonal(geom):
    """Polygon parts of a repaired geometry (make_valid may return a collection with lines)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = []
    for g in getattr(geom, "geoms", []):
        if g.geom_type == "Polygon":
            parts.append(g)
        elif g.geom_type == "MultiPolygon":
            parts.extend(g.geoms)
    return MultiPolygon(parts) if parts else None


def geodesic_area(geod, geom):
    """Area in m² on the ellipsoid. Geod.geometry_area_perimeter adds signed ring areas, so
    every part is oriented first (shell counter-clockwise, holes clockwise)."""
    parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    return sum(geod.geometry_area_perimeter(orient(p, sign=1.0))[0] for p in parts
               if p.geom_type == "Polygon")


def main():
    cleared_path, provinces_path = sys.argv[1], sys.argv[2]
    warnings.filterwarnings("ignore")
    cleared = gpd.read_file(cleared_path)
    provinces = gpd.read_file(provinces_path)[["name", "geometry"]]
    work_crs = cleared.crs  # EPSG:32648

    cleared = gpd.GeoDataFrame(geometry=cleared.geometry.make_valid().apply(polygonal),
                               crs=work_crs)
    cleared = cleared[cleared.geometry.notna()]
    dissolved = cleared.dissolve()  # one row: the union of every cleared polygon

    provinces = provinces.set_geometry(provinces.geometry.apply(lambda g: densify(g, STEP_DEG)))
    provinces = provinces.to_crs(work_crs)

    pieces = gpd.overlay(dissolved, provinces, how="intersection", keep_geom_type=True)
    pieces = pieces.set_geometry(pieces.geometry.apply(lambda g: densify(g, STEP_M)))
    pieces = pieces.to_crs(4326)
    geod = pyproj.Geod(ellps="WGS84")
    pieces["net_ha"] = [geodesic_area(geod, g) / 1e4 for g in pieces.geometry]
    net = pieces.groupby("name")["net_ha"].sum()
    print("name,net_ha")
    for name in sorted(provinces["name"]):
        print(f"{name},{net.get(name, 0.0):.9f}")


if __name__ == "__main__":
    main()
