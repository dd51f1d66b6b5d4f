/* The sketch options coda-solve and coda-sketch share, parsed in one place:
 *   --sketch K  --sketch-rows R  --nnz S  --blocks K  --weighted  --approx */
#ifndef CODA_SKETCH_OPTS_H
#define CODA_SKETCH_OPTS_H

#include <getopt.h>

#include "../sketch/sketch.h"
#include "options.h"

enum {
    CODA_OPT_SKETCH = 1000,
    CODA_OPT_SKETCH_ROWS,
    CODA_OPT_NNZ,
    CODA_OPT_BLOCKS,
    CODA_OPT_WEIGHTED,
    CODA_OPT_APPROX
};

/* The options as coda_cli_option entries with their help, but --sketch-rows, whose
 * default is the program's (CODA_CLI_SKETCH_ROWS_HELP). */
#define CODA_CLI_SKETCH_OPTIONS                                                                    \
    {"sketch", CODA_OPT_SKETCH, "K",                                                               \
     "gaussian, rademacher, srht, countsketch (sparse sign), uniform, leverage, block, "         \
     "block-uniform, block-srht or none (S = I) (default countsketch)"},                          \
        {"nnz", CODA_OPT_NNZ, "S", "countsketch nonzeros per column (default 4)"},                \
        {"blocks", CODA_OPT_BLOCKS, "K", "block sketches: the number of row blocks"},             \
        {"weighted", CODA_OPT_WEIGHTED, NULL, "block sketches: Appendix E's weighted form"},      \
        {"approx", CODA_OPT_APPROX, NULL,                                                          \
         "leverage / block: approximate scores (sparse sketch + JL)"}
#define CODA_CLI_SKETCH_ROWS_HELP(h) {"sketch-rows", CODA_OPT_SKETCH_ROWS, "R", h}

/* 1 when c is one of the options above (parsed into o), 0 when it is not, -1 with e set when
 * its value is bad. */
int coda_sketch_option(int c, const char *arg, coda_sketch_opts *o, coda_err *e);
/* After parsing: what the options need of each other (block needs --blocks). */
int coda_sketch_options_check(const coda_sketch_opts *o, coda_err *e);

#endif
