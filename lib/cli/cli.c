#include "cli.h"

#include "../core/meta.h"

#include <errno.h>
#include <math.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void coda_say(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int coda_exit_for(const coda_err *e)
{
    switch (e->cls) {
    case CODA_E_USAGE: return CODA_EXIT_USAGE;
    case CODA_E_SUSPECT: return CODA_EXIT_SUSPECT;
    default: return CODA_EXIT_DATA;
    }
}

int coda_parse_long(const char *opt, const char *s, long lo, long hi, long *out, coda_err *e)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return coda_fail(e, "option %s: '%s' is not an integer", opt, s);
    if (v < lo || v > hi)
        return coda_fail(e, "option %s: %ld is outside [%ld, %ld]", opt, v, lo, hi);
    *out = v;
    return 0;
}

int coda_parse_u64(const char *opt, const char *s, unsigned long long *out, coda_err *e)
{
    char *end;
    errno = 0;
    if (*s == '-')
        return coda_fail(e, "option %s: '%s' must be non-negative", opt, s);
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end)
        return coda_fail(e, "option %s: '%s' is not a non-negative integer", opt, s);
    *out = v;
    return 0;
}

int coda_parse_double(const char *opt, const char *s, double *out, coda_err *e)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE)
        return coda_fail(e, "option %s: '%s' is not a number", opt, s);
    *out = v;
    return 0;
}

int coda_parse_double_range(const char *opt, const char *s, double lo, int lo_open, double hi,
                            double *out, coda_err *e)
{
    double v;
    if (coda_parse_double(opt, s, &v, e) < 0)
        return -1;
    if (!isfinite(v) || (lo_open ? !(v > lo) : !(v >= lo)) || v > hi) {
        if (isinf(hi))
            return coda_fail(e, "option %s: must be %s %g", opt, lo_open ? ">" : ">=", lo);
        return coda_fail(e, "option %s: must be in %c%g, %g]", opt, lo_open ? '(' : '[', lo, hi);
    }
    *out = v;
    return 0;
}

int coda_write_output(const char *path, const char *fmt, const coda_frame *f, coda_err *e)
{
    coda_writer w;
    if (coda_open_output(&w, path, fmt, e) < 0)
        return CODA_EXIT_USAGE;
    if (coda_writer_put(&w, f, e) < 0) {
        coda_writer_abort(&w);
        return CODA_EXIT_DATA;
    }
    if (coda_writer_close(&w, e) < 0)
        return CODA_EXIT_DATA;
    return CODA_EXIT_OK;
}

int coda_parse_list(const char *opt, const char *s, long **out, size_t *n, coda_err *e)
{
    long long *v;
    if (coda_split_longs(s, &v, n) < 0)
        return coda_fail(e, "option %s: '%s' is not a comma-separated list of non-negative "
                            "integers", opt, s);
    long *a = malloc(*n * sizeof *a);
    int bad = !a;
    for (size_t i = 0; a && i < *n; i++) {
        bad |= v[i] < 0 || v[i] > LONG_MAX;
        a[i] = (long)v[i];
    }
    free(v);
    if (bad) {
        free(a);
        return coda_fail(e, "option %s: '%s' is not a comma-separated list of non-negative "
                            "integers", opt, s);
    }
    *out = a;
    return 0;
}

int coda_open_output(coda_writer *w, const char *path, const char *fmt, coda_err *e)
{
    coda_format f;
    if (coda_format_choose(fmt, path, isatty(STDOUT_FILENO), &f, e) < 0)
        return -1;
    return coda_writer_open(w, path, f, e);
}

int coda_open_stream_output(coda_writer *w, const char *path, coda_err *e)
{
    if ((!path || strcmp(path, "-") == 0) && isatty(STDOUT_FILENO))
        return coda_fail(e, "refusing to write a binary stream to a terminal: pipe it into the "
                            "next program, or use -o FILE");
    return coda_writer_open(w, path, CODA_FMT_BIN, e);
}

void coda_print_version(const char *prog) { printf("%s (coda) %s\n", prog, CODA_VERSION_STRING); }

int coda_stderr_is_tty(void) { return isatty(STDERR_FILENO); }
