/* paths: where the installed files are, found from the running binary. */
#ifndef CCOV_PATHS_H
#define CCOV_PATHS_H

#include <stddef.h>

/* Directory of the bundled data, without a trailing slash, into buf (size n); returns buf.
   For an installed binary PREFIX/bin/clearcov: PREFIX/share/clearcov, from the binary's real path
   (/proc/self/exe), so that an installed tree can be moved. For a binary of the build tree (one
   under CCOV_BUILD_DIR without a share/clearcov beside it), or when the binary's path cannot be
   read: the data directory of the source tree. The directory is not required to exist: opening a
   file in it reports the path. */
const char *ccov_paths_data_dir(char *buf, size_t n);

#endif
