/* clearcov: the command-line interface as a library function. */
#ifndef CLEARCOV_CLI_H
#define CLEARCOV_CLI_H

#ifdef __cplusplus
extern "C" {
#endif

/* Run the clearcov command line (argv[0] is the program name). Returns the process exit code:
   0 ok, 1 a claim failed validation, 2 usage, 3 input/output, 4 CRS, 5 geometry. */
int ccov_cli_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
