/* The options of the schemes, taken from each scheme's own table (lib/codes/scheme.h) and
 * appended to a program's getopt table: coda-encode and coda-assign take the encode-time ones,
 * coda-decode the decode-time ones. The program knows no scheme: it passes what was given to
 * the scheme it was told (or found in the plan) as name=value, and --help lists each scheme's
 * options from its table. */
#ifndef CODA_SCHEME_OPTS_H
#define CODA_SCHEME_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "../codes/scheme.h"

enum { CODA_OPT_SCHEME_BASE = 3000 };

typedef struct {
    struct option *longopts; /* the program's, then the schemes' (getopt_long's table) */
    char *shortopts;         /* the program's short options, then the schemes' letters */
    coda_meta given;         /* the scheme options given, name=value ("1" for a flag) */
    int at_decode;
    const char **names;      /* CODA_OPT_SCHEME_BASE + i is the option names[i] */
    size_t nnames;
} coda_scheme_cli;

/* base: the program's own options (ending with a zero entry), base_short its getopt string. */
int coda_scheme_cli_init(coda_scheme_cli *c, const struct option *base, const char *base_short,
                         int at_decode, coda_err *e);
/* 1 when getopt's c is a scheme option (recorded), 0 when it is not, -1 with e set. */
int coda_scheme_cli_option(coda_scheme_cli *c, int code, const char *arg, coda_err *e);
/* Whether the options given all belong to scheme sc (a usage error naming the schemes an
 * option is for, otherwise). */
int coda_scheme_cli_check(const coda_scheme_cli *c, const coda_scheme *sc, coda_err *e);
/* Remove an option from what was given (a program that takes it under another meaning). */
void coda_scheme_cli_take(coda_scheme_cli *c, const char *name);
/* Each scheme's options, as --help lists them. */
void coda_scheme_cli_usage(FILE *to, int at_decode);
void coda_scheme_cli_free(coda_scheme_cli *c);

#endif
