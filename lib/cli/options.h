/* The one option-table mechanism of the programs: each program lists its options once, as
 * coda_cli_option entries (its own, and the shared ones of ARCHITECTURE.md's table defined
 * here), and the getopt_long tables and the option lines of --help are generated from that
 * list, so that an option's name, letter, value and help never live in two places.
 *
 * Shared entries fix the name, the letter and the value's name; the help line, where a
 * program gives the option a program-specific default, is the program's (the _HELP forms). */
#ifndef CODA_CLI_OPTIONS_H
#define CODA_CLI_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

#include "../core/err.h"

typedef struct {
    const char *name; /* the long name; NULL: short only */
    int id;           /* what getopt returns: the short letter (< 256), or an id >= 256 */
    const char *arg;  /* the value's name in --help; NULL: a flag */
    const char *help; /* one line; "\n" starts a continuation line at the help column */
} coda_cli_option;

#define CODA_CLI_END {NULL, 0, NULL, NULL}
/* A heading in --help before the options that follow it (not an option). */
#define CODA_CLI_HEADING(h) {NULL, -1, NULL, h}

/* Ids of the shared options that have no letter (programs number their own from 256). */
enum {
    CODA_CLI_VERSION_ID = 4000,
    CODA_CLI_SEED_ID,
    CODA_CLI_SCHEME_ID,
    CODA_CLI_OP_ID,
    CODA_CLI_ROUND_ID,
    CODA_CLI_ENGINE_ID,
    CODA_CLI_EPS_ID,
    CODA_CLI_TOL_ID,
    CODA_CLI_ITERS_ID,
    CODA_CLI_STEP_ID,
    CODA_CLI_LOSS_ID,
    CODA_CLI_L2_ID,
    CODA_CLI_TRACE_ID
};

/* The shared options (ARCHITECTURE.md, "Option names shared by every program"). */
#define CODA_CLI_OUTPUT_HELP(h) {"output", 'o', "FILE", h}
#define CODA_CLI_OUTPUT CODA_CLI_OUTPUT_HELP("write to FILE (format from its extension unless -f)")
#define CODA_CLI_FORMAT_HELP(h) {"format", 'f', "F", h}
#define CODA_CLI_FORMAT CODA_CLI_FORMAT_HELP("bin, csv, tsv, npy, npz or mtx")
#define CODA_CLI_QUIET_HELP(h) {"quiet", 'q', NULL, h}
#define CODA_CLI_QUIET CODA_CLI_QUIET_HELP("no summary or progress on stderr")
#define CODA_CLI_HELP {"help", 'h', NULL, "print this help and exit"}
#define CODA_CLI_VERSION {"version", CODA_CLI_VERSION_ID, NULL, "print the version and exit"}
#define CODA_CLI_SEED_HELP(h) {"seed", CODA_CLI_SEED_ID, "N", h}
#define CODA_CLI_SEED                                                                              \
    CODA_CLI_SEED_HELP("seed of every random choice (default 1); the same seed gives the same "  \
                       "bytes")
#define CODA_CLI_SCHEME_HELP(h) {"scheme", CODA_CLI_SCHEME_ID, "NAME", h}
#define CODA_CLI_WORKERS_HELP(h) {"workers", 'N', "N", h}
#define CODA_CLI_STRAGGLERS_HELP(h) {"stragglers", 's', "S", h}
#define CODA_CLI_BLOCKS_HELP(h) {"blocks", 'K', "K", h}
#define CODA_CLI_OP_HELP(h) {"op", CODA_CLI_OP_ID, "OP", h}
#define CODA_CLI_ROUND_HELP(h) {"round", CODA_CLI_ROUND_ID, "R", h}
#define CODA_CLI_ENGINE_HELP(h) {"engine", CODA_CLI_ENGINE_ID, "E", h}
#define CODA_CLI_EPS_HELP(h) {"eps", CODA_CLI_EPS_ID, "E", h}
#define CODA_CLI_TOL_HELP(h) {"tol", CODA_CLI_TOL_ID, "E", h}
#define CODA_CLI_ITERS_HELP(h) {"iters", CODA_CLI_ITERS_ID, "N", h}
#define CODA_CLI_STEP_HELP(h) {"step", CODA_CLI_STEP_ID, "RULE", h}
#define CODA_CLI_LOSS_HELP(h) {"loss", CODA_CLI_LOSS_ID, "L", h}
#define CODA_CLI_L2_HELP(h) {"l2", CODA_CLI_L2_ID, "L", h}
#define CODA_CLI_TRACE_HELP(h) {"trace", CODA_CLI_TRACE_ID, "FILE", h}
/* -o, -f, -q, -h and --version, as most programs take them */
#define CODA_CLI_COMMON CODA_CLI_OUTPUT, CODA_CLI_FORMAT, CODA_CLI_QUIET, CODA_CLI_HELP, CODA_CLI_VERSION

/* getopt_long's tables for a list of options ending with CODA_CLI_END, in place (a program's
 * list is fixed at compile time: nothing to free). */
enum { CODA_CLI_MAX_OPTIONS = 160 };
typedef struct {
    struct option longopts[CODA_CLI_MAX_OPTIONS + 1]; /* ends with a zero entry */
    char shortopts[2 * CODA_CLI_MAX_OPTIONS + 1];
} coda_cli_getopt;

/* -1 (a program's own error: its list is too long) past CODA_CLI_MAX_OPTIONS. */
int coda_cli_getopt_build(coda_cli_getopt *g, const coda_cli_option *opts, coda_err *e);
/* The option lines of --help for a list: "  -o, --output FILE   help", the help column the same
 * for every line of the list (a longer option puts its help on the next line). */
void coda_cli_print_options(FILE *to, const coda_cli_option *opts);
/* One such line, for lists that are not option tables (the schemes' options): head (the
 * option as spelled) from column indent, its help from column col, wrapped before column 80. */
void coda_cli_print_entry(FILE *to, int indent, int col, const char *head, const char *help);
/* Whether getopt's return c is one of the list's options. */
int coda_cli_has(const coda_cli_option *opts, int c);

#endif
