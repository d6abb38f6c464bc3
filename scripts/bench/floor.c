/* The read floor of the benchmark: open a vector source with GDAL and fetch every feature's
   geometry through OGR, doing nothing else. The cost of reading the input, which clearcov
   cannot go below.

     cc -O2 floor.c -o floor $(pkg-config --cflags --libs gdal)
     ./floor FILE.gpkg [LAYER]

   Prints the features read and the vertices seen (so that the compiler cannot drop the
   loop), to standard output as "features=N vertices=M". Exit 1 on error. */
#include <gdal.h>
#include <ogr_api.h>
#include <stdio.h>

static long long count_points(OGRGeometryH g) {
    int parts = OGR_G_GetGeometryCount(g);
    if (parts == 0)
        return OGR_G_GetPointCount(g);
    long long n = 0;
    for (int i = 0; i < parts; i++)
        n += count_points(OGR_G_GetGeometryRef(g, i));
    return n;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s FILE [LAYER]\n", argv[0]);
        return 1;
    }
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(argv[1], GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        fprintf(stderr, "floor: cannot open %s\n", argv[1]);
        return 1;
    }
    OGRLayerH layer =
        argc == 3 ? GDALDatasetGetLayerByName(ds, argv[2]) : GDALDatasetGetLayer(ds, 0);
    if (!layer) {
        fprintf(stderr, "floor: %s: no such layer\n", argc == 3 ? argv[2] : "(first)");
        GDALClose(ds);
        return 1;
    }
    long long features = 0, vertices = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (g)
            vertices += count_points(g);
        features++;
        OGR_F_Destroy(f);
    }
    printf("features=%lld vertices=%lld\n", features, vertices);
    GDALClose(ds);
    return 0;
}
