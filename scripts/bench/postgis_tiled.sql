-- PostGIS peer, tiled: what an expert does to keep every union small.
-- psql -v cleared=TABLE -v provinces=TABLE -v max_vertices=N -f postgis_tiled.sql
-- prints "name,net_ha" rows.
--   1. repair every cleared polygon once (ST_MakeValid; polygon parts kept) into an indexed
--      temporary table, in EPSG:32648;
--   2. split the province edges every 0.001 degree in lon/lat (as clearcov does), transform
--      them to EPSG:32648 and cut them into tiles of at most :max_vertices vertices
--      (ST_Subdivide: the tiles of a province do not overlap and cover it exactly);
--   3. per tile: union the repaired polygons that intersect it (GiST index) and intersect that
--      union with the tile;
--   4. split each tile's piece's edges every 500 m in EPSG:32648 (as clearcov splits the
--      cleared polygons' edges before reprojecting them), transform it to EPSG:4326, measure it on the WGS84 ellipsoid
--      (ST_Area(geography), Karney) and add the pieces up per province, in hectares.
CREATE TEMPORARY TABLE cv AS
    SELECT ST_CollectionExtract(ST_MakeValid(c.geom), 3) AS geom
    FROM :"cleared" c;
CREATE INDEX ON cv USING gist (geom);
ANALYZE cv;

CREATE TEMPORARY TABLE tiles AS
    SELECT p.name, ST_Subdivide(ST_Transform(ST_Segmentize(p.geom, 0.001), 32648),
                                :max_vertices) AS geom
    FROM :"provinces" p;
ANALYZE tiles;

SELECT t.name,
       sum(ST_Area(ST_Transform(ST_Segmentize(ST_Intersection(u.geom, t.geom), 500),
                                4326)::geography)) / 1e4
           AS net_ha
FROM tiles t
CROSS JOIN LATERAL (
    SELECT ST_Union(cv.geom) AS geom
    FROM cv
    WHERE ST_Intersects(cv.geom, t.geom)
) u
GROUP BY t.name
ORDER BY t.name;
