/* claims: what reading (claims.c) and checking (check.c) share: the list of rows that cannot be
   checked, and releasing one claim. Internal. */
#ifndef CCOV_CLAIMS_PROBLEM_H
#define CCOV_CLAIMS_PROBLEM_H

#include "clearcov/claims.h"

#include <stdbool.h>
#include <stddef.h>

/* Append {line, a copy of reason} to the list *problems of *n entries (grown as needed). False
   when out of memory; the list stays valid and is freed by its owner as before. */
bool ccov_claims_add_problem(ccov_claim_problem **problems, size_t *n, long line,
                             const char *reason);

/* Free the claim's strings and zero it. */
void ccov_claims_claim_clear(ccov_claim *c);

#endif
