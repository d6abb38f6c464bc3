#include "clearcov/cli.h"

int main(int argc, char **argv) { return ccov_cli_main(argc, argv); }
