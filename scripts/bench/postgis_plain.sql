-- PostGIS peer, plain: the query a GIS analyst writes.
-- psql -v cleared=TABLE -v provinces=TABLE -f postgis_plain.sql   prints "name,net_ha" rows.
--   1. repair every cleared polygon (ST_MakeValid, GEOS; polygon parts kept) in EPSG:32648;
--   2. union them all into one geometry (ST_Union aggregate: GEOS cascaded union);
--   3. split the province edges every 0.001 degree in lon/lat (as clearcov does: 100 m in a
--      geographic CRS), then transform the provinces to EPSG:32648;
--   4. intersect the union with each province in EPSG:32648;
--   5. split the piece's edges every 500 m in EPSG:32648 (as clearcov splits the cleared
--      polygons' edges before it reprojects them: an edge straight in UTM stays where it was),
--      transform it to EPSG:4326 and measure it on the WGS84 ellipsoid
--      (ST_Area(geography): PROJ's geod_polygonarea, Karney), in hectares.
WITH u AS MATERIALIZED (
    SELECT ST_Union(ST_CollectionExtract(ST_MakeValid(c.geom), 3)) AS geom
    FROM :"cleared" c
), p AS (
    SELECT name, ST_Transform(ST_Segmentize(geom, 0.001), 32648) AS geom
    FROM :"provinces"
)
SELECT p.name,
       ST_Area(ST_Transform(ST_Segmentize(ST_Intersection(u.geom, p.geom), 500), 4326)::geography)
           / 1e4 AS net_ha
FROM p CROSS JOIN u
ORDER BY p.name;
