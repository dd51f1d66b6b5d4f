#include "sketch_opts.h"

#include "cli.h"

int coda_sketch_option(int c, const char *arg, coda_sketch_opts *o, coda_err *e)
{
    long v;
    switch (c) {
    case CODA_OPT_SKETCH:
        if (coda_sketch_kind_parse(arg, &o->kind) < 0)
            return coda_fail(e, "option --sketch: unknown sketch '%s' (gaussian, rademacher, "
                                "srht, countsketch, uniform, leverage, block, block-uniform, "
                                "block-srht, none)", arg);
        return 1;
    case CODA_OPT_SKETCH_ROWS:
        if (coda_parse_long("--sketch-rows", arg, 1, 1L << 40, &v, e) < 0)
            return -1;
        o->rows = (size_t)v;
        return 1;
    case CODA_OPT_NNZ:
        if (coda_parse_long("--nnz", arg, 1, 1000, &v, e) < 0)
            return -1;
        o->nnz = (int)v;
        return 1;
    case CODA_OPT_BLOCKS:
        if (coda_parse_long("--blocks", arg, 1, 1L << 30, &v, e) < 0)
            return -1;
        o->blocks = (int)v;
        return 1;
    case CODA_OPT_WEIGHTED: o->weighted = 1; return 1;
    case CODA_OPT_APPROX: o->approx = 1; return 1;
    default: return 0;
    }
}

int coda_sketch_options_check(const coda_sketch_opts *o, coda_err *e)
{
    int blocky = o->kind == CODA_SK_BLOCK || o->kind == CODA_SK_BLOCK_UNIFORM ||
                 o->kind == CODA_SK_BLOCK_SRHT;
    if (blocky && !o->blocks)
        return coda_fail(e, "--sketch %s needs --blocks K", coda_sketch_kind_name(o->kind));
    if (o->weighted && !blocky)
        return coda_fail(e, "--weighted applies to the block sketches only");
    return 0;
}
