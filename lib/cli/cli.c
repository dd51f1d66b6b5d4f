#include "cli.h"

#include "../core/meta.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
        return coda_failc(e, CODA_E_USAGE, "option %s: '%s' is not an integer", opt, s);
    if (v < lo || v > hi)
        return coda_failc(e, CODA_E_USAGE, "option %s: %ld is outside [%ld, %ld]", opt, v, lo,
                          hi);
    *out = v;
    return 0;
}

int coda_parse_u64(const char *opt, const char *s, unsigned long long *out, coda_err *e)
{
    char *end;
    errno = 0;
    if (*s == '-')
        return coda_failc(e, CODA_E_USAGE, "option %s: '%s' must be non-negative", opt, s);
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end)
        return coda_failc(e, CODA_E_USAGE, "option %s: '%s' is not a non-negative integer", opt,
                          s);
    *out = v;
    return 0;
}

int coda_parse_double(const char *opt, const char *s, double *out, coda_err *e)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE)
        return coda_failc(e, CODA_E_USAGE, "option %s: '%s' is not a number", opt, s);
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
            return coda_failc(e, CODA_E_USAGE, "option %s: must be %s %g", opt,
                              lo_open ? ">" : ">=", lo);
        return coda_failc(e, CODA_E_USAGE, "option %s: must be in %c%g, %g]", opt,
                          lo_open ? '(' : '[', lo, hi);
    }
    *out = v;
    return 0;
}

int coda_write_output_side(const char *path, const char *fmt, const coda_frame *f,
                           coda_outfile *side, coda_err *e)
{
    coda_writer w;
    int rc = coda_open_output(&w, path, fmt, e);
    if (rc == 0) {
        if ((rc = coda_writer_put(&w, f, e)) == 0 && side)
            rc = coda_outfile_commit(side, e);
        if (rc == 0)
            rc = coda_writer_close(&w, e);
        else
            coda_writer_abort(&w);
    }
    if (side)
        coda_outfile_abort(side); /* after a commit: nothing left to give up */
    return rc < 0 ? coda_exit_for(e) : CODA_EXIT_OK;
}

int coda_write_output(const char *path, const char *fmt, const coda_frame *f, coda_err *e)
{
    return coda_write_output_side(path, fmt, f, NULL, e);
}

int coda_parse_list(const char *opt, const char *s, long **out, size_t *n, coda_err *e)
{
    long long *v;
    if (coda_split_longs(s, &v, n) < 0)
        return coda_failc(e, CODA_E_USAGE, "option %s: '%s' is not a comma-separated list of "
                          "non-negative integers", opt, s);
    long *a = malloc(*n * sizeof *a);
    int bad = !a;
    for (size_t i = 0; a && i < *n; i++) {
        bad |= v[i] < 0 || v[i] > LONG_MAX;
        a[i] = (long)v[i];
    }
    free(v);
    if (bad) {
        free(a);
        return coda_failc(e, CODA_E_USAGE, "option %s: '%s' is not a comma-separated list of "
                          "non-negative integers", opt, s);
    }
    *out = a;
    return 0;
}

static void on_fatal_signal(int sig)
{
    coda_outfile_remove_temps();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* A program killed by a signal (Ctrl-C, a closed pipe) leaves no temporary file behind.
 * Installed when a program first opens an output; a signal the caller ignores stays ignored. */
static void remove_temps_on_signal(void)
{
    static int done;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT};
    if (done++)
        return;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa = {.sa_handler = on_fatal_signal};
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
            sigaction(sigs[i], &sa, NULL);
    }
}

int coda_check_output(const char *path, const char *fmt, coda_err *e)
{
    coda_format f;
    return coda_format_choose(fmt, path, isatty(STDOUT_FILENO), &f, e);
}

int coda_open_output(coda_writer *w, const char *path, const char *fmt, coda_err *e)
{
    coda_format f;
    if (coda_format_choose(fmt, path, isatty(STDOUT_FILENO), &f, e) < 0)
        return -1;
    remove_temps_on_signal();
    return coda_writer_open(w, path, f, e);
}

static int is_stdout(const char *path) { return !path || strcmp(path, "-") == 0; }

int coda_check_stream_output(const char *path, coda_err *e)
{
    coda_format f;
    if (is_stdout(path)) {
        if (isatty(STDOUT_FILENO))
            return coda_failc(e, CODA_E_USAGE, "refusing to write a binary stream to a terminal: "
                                               "pipe it into the next program, or use -o FILE");
        return 0;
    }
    if (coda_format_of_path(path, &f, e) < 0)
        return -1;
    if (f != CODA_FMT_BIN)
        return coda_failc(e, CODA_E_USAGE, "%s: a stream is binary, but the name says %s: name "
                          "it .coda, or convert it with coda-cat", path, coda_format_name(f));
    return 0;
}

int coda_open_stream_output(coda_writer *w, const char *path, coda_err *e)
{
    if (coda_check_stream_output(path, e) < 0)
        return -1;
    remove_temps_on_signal();
    return coda_writer_open(w, path, CODA_FMT_BIN, e);
}

int coda_open_stream_output_under_mpirun(coda_writer *w, const char *path, coda_err *e)
{
    if (!is_stdout(path))
        return coda_open_stream_output(w, path, e);
    remove_temps_on_signal();
    return coda_writer_open(w, path, CODA_FMT_BIN, e);
}

int coda_open_side_output(coda_outfile *o, const char *opt, const char *path,
                          const char *main_out, coda_err *e)
{
    if (strcmp(path, "-") == 0 && is_stdout(main_out))
        return coda_failc(e, CODA_E_USAGE, "option %s: '-' is stdout, where the output goes too: "
                          "give -o FILE, or %s FILE", opt, opt);
    remove_temps_on_signal();
    return coda_outfile_open(o, path, stdout, e);
}

int coda_missing_operand(const char *prog, const char *what)
{
    coda_say(prog, "missing operand: %s (see %s --help)", what, prog);
    return CODA_EXIT_USAGE;
}

void coda_print_version(const char *prog) { printf("%s (coda) %s\n", prog, CODA_VERSION_STRING); }

int coda_stderr_is_tty(void) { return isatty(STDERR_FILENO); }

static struct {
    const char *prog;
    int on, width;        /* width: characters of the line on screen, to erase */
    struct timespec last; /* when it was last drawn */
} progress;

void coda_progress_begin(const char *prog, int quiet)
{
    progress.prog = prog;
    progress.on = !quiet && coda_stderr_is_tty();
    progress.width = 0;
}

int coda_progress_on(void) { return progress.on; }

void coda_progress(const char *fmt, ...)
{
    if (!progress.on)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - progress.last.tv_sec) +
                1e-9 * (double)(now.tv_nsec - progress.last.tv_nsec);
    if (progress.width && dt < 0.1)
        return;
    progress.last = now;
    char line[160];
    int n = snprintf(line, sizeof line, "%s: ", progress.prog);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    int len = (int)strlen(line);
    /* pad over what the last line had beyond this one */
    fprintf(stderr, "\r%s%*s", line, progress.width > len ? progress.width - len : 0, "");
    progress.width = len > progress.width ? len : progress.width;
    fflush(stderr);
}

void coda_progress_end(void)
{
    if (progress.on && progress.width)
        fprintf(stderr, "\r%*s\r", progress.width, "");
    progress.width = 0;
}

void coda_progress_worker(int worker, int N) { coda_progress("worker %d of %d", worker + 1, N); }

void coda_progress_columns(long iter, size_t done, size_t total)
{
    coda_progress("iteration %ld, %zu of %zu columns done", iter, done, total);
}

void coda_print_figures(const char *prog, const char *scheme, const coda_meta *fig)
{
    size_t len = 0, cap = 256;
    char *line = malloc(cap);
    if (!line)
        return;
    line[0] = 0;
    const char *warning = NULL;
    for (size_t i = 0; i < fig->n; i++) {
        if (strcmp(fig->key[i], "warning") == 0) {
            warning = fig->val[i];
            continue;
        }
        /* a list: its first 12 entries */
        const char *v = fig->val[i];
        size_t vlen = strlen(v), commas = 0, cut = vlen;
        for (size_t j = 0; j < vlen; j++)
            if (v[j] == ',' && ++commas == 12) {
                cut = j;
                break;
            }
        size_t need = len + strlen(fig->key[i]) + cut + 16;
        if (need > cap) {
            char *bigger = realloc(line, need * 2);
            if (!bigger)
                break;
            line = bigger;
            cap = need * 2;
        }
        len += (size_t)sprintf(line + len, "%s", len ? ", " : "");
        for (const char *k = fig->key[i]; *k; k++)
            line[len++] = *k == '_' ? ' ' : *k;
        len += (size_t)sprintf(line + len, " %.*s%s", (int)cut, v, cut < vlen ? ",..." : "");
    }
    if (len)
        coda_say(prog, "%s: %s", scheme, line);
    if (warning)
        coda_say(prog, "warning: %s", warning);
    free(line);
}

int coda_figures_to_meta(const coda_meta *fig, coda_meta *m, coda_err *e)
{
    for (size_t i = 0; i < fig->n; i++)
        if (strcmp(fig->key[i], "warning") != 0 && coda_meta_set(m, fig->key[i], fig->val[i], e) < 0)
            return -1;
    return 0;
}

void coda_print_wrapped(FILE *to, int indent, const char *list)
{
    int col = fprintf(to, "%*s", indent, "");
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (col > indent && col + 1 + (int)len > 79) {
            fputc('\n', to);
            col = fprintf(to, "%*s", indent, "");
        } else if (col > indent) {
            fputc(' ', to);
            col++;
        }
        fwrite(p, 1, len, to);
        col += (int)len;
        p += len;
        while (*p == ' ')
            p++;
    }
    fputc('\n', to);
}
