-- SpatiaLite peer (SpatiaLite 5 through GDAL's SQLite dialect):
--   ogr2ogr -f CSV /vsistdout/ PEER.gpkg -dialect SQLite -sql @spatialite.sql
-- PEER.gpkg is the benchmark's GeoPackage (layer cleared, EPSG:32648) with the provinces added
-- as a second layer (provinces, EPSG:4326). Prints "name,net_ha" rows.
--   1. repair every cleared polygon (MakeValid: RTTOPO's make-valid; polygon parts kept) in
--      EPSG:32648 and union them all (ST_Union aggregate, GEOS);
--   2. split the province edges every 0.001 degree in lon/lat (as clearcov does), then
--      transform them to EPSG:32648;
--   3. intersect the union with each province in EPSG:32648;
--   4. split the piece's edges every 500 m in EPSG:32648 (as clearcov splits the cleared
--      polygons' edges before reprojecting them), transform it to lon/lat and measure it on
--      the WGS84 ellipsoid:
--      ST_Area(geom, 1). In SpatiaLite 5.0 that is RTTOPO's spheroid area, not Karney's
--      algorithm: see docs/benchmarks.md for how far it is from PROJ's geod_polygonarea.
-- The transformations name their CRSs as PROJ strings: a GeoPackage has no SpatiaLite
-- spatial_ref_sys table for ST_Transform to look SRIDs up in.
WITH u AS MATERIALIZED (
    SELECT ST_Union(CollectionExtract(MakeValid(geom), 3)) AS geom
    FROM cleared
), p AS (
    SELECT name,
           ST_Transform(ST_Segmentize(geom, 0.001), 32648, NULL,
                        '+proj=longlat +datum=WGS84 +no_defs',
                        '+proj=utm +zone=48 +datum=WGS84 +units=m +no_defs') AS geom
    FROM provinces
)
SELECT p.name AS name,
       ST_Area(ST_Transform(ST_Segmentize(ST_Intersection(u.geom, p.geom), 500), 4326, NULL,
                            '+proj=utm +zone=48 +datum=WGS84 +units=m +no_defs',
                            '+proj=longlat +datum=WGS84 +no_defs'), 1) / 10000.0 AS net_ha
FROM p, u
ORDER BY p.name
