/* Helpers shared by the programs in cmd/: number parsing for options, diagnostics, output
 * opening. They only parse and report; the program decides the exit status. */
#ifndef CODA_CLI_H
#define CODA_CLI_H

#include <stdio.h>

#include "../core/err.h"
#include "../io/stream.h"

#define CODA_VERSION_STRING "0.1.0"

/* Exit statuses: 0 success, 1 a data, numeric, memory, I/O or too-few-responders failure,
 * 2 a usage error, 3 a verification (Byzantine) failure whose best-effort result was written. */
enum { CODA_EXIT_OK = 0, CODA_EXIT_DATA = 1, CODA_EXIT_USAGE = 2, CODA_EXIT_SUSPECT = 3 };

/* The one mapping from an error's class to a program's exit status. */
int coda_exit_for(const coda_err *e);

/* "prog: message" on stderr. */
void coda_say(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse a whole option argument; -1 with "option --x: ..." in e when malformed or out of range. */
int coda_parse_long(const char *opt, const char *s, long lo, long hi, long *out, coda_err *e);
int coda_parse_double(const char *opt, const char *s, double *out, coda_err *e);
/* A finite number x with lo < x (lo_open) or lo <= x, and x <= hi; "option --x: must be > 0". */
int coda_parse_double_range(const char *opt, const char *s, double lo, int lo_open, double hi,
                            double *out, coda_err *e);
int coda_parse_u64(const char *opt, const char *s, unsigned long long *out, coda_err *e);
/* Comma-separated non-negative integers into a fresh array. */
int coda_parse_list(const char *opt, const char *s, long **out, size_t *n, coda_err *e);
/* Choose the output format (-f, extension, tty; see coda_format_choose) and open the writer. */
int coda_open_output(coda_writer *w, const char *path, const char *fmt, coda_err *e);
/* The same choice without opening anything: a program checks its -o/-f before it computes, so
 * that a bad name (an unknown extension: class usage) costs nothing. */
int coda_check_output(const char *path, const char *fmt, coda_err *e);
/* Write one frame to the output chosen as above and close it; when side is given (an open
 * --trace/--log/--report file, or NULL) commit it just before, so that on any failure neither
 * replaces its old file. Returns CODA_EXIT_OK or coda_exit_for(e): 2 for a bad format or
 * extension, 1 for an unwritable path or a write error (class io). */
int coda_write_output_side(const char *path, const char *fmt, const coda_frame *f,
                           coda_outfile *side, coda_err *e);
int coda_write_output(const char *path, const char *fmt, const coda_frame *f, coda_err *e);
/* Open a binary frame stream for output; refuses (class usage) a terminal (pipe it, or use
 * -o FILE) and a file name whose extension says another format (.csv: a stream is binary). */
/* The same where stdout may be a terminal that is not the user's: under mpirun, rank 0's stdout
 * is Open MPI's pty (raw: the bytes pass unchanged) whatever the user's stdout is. */
int coda_open_stream_output_under_mpirun(coda_writer *w, const char *path, coda_err *e);
int coda_open_stream_output(coda_writer *w, const char *path, coda_err *e);
int coda_check_stream_output(const char *path, coda_err *e);
/* Open a side output (--trace, --log: CSV): path "-" is stdout, refused (class usage) when the
 * main output main_out (NULL or "-") goes there too. Written to a temporary file like -o. */
int coda_open_side_output(coda_outfile *o, const char *opt, const char *path,
                          const char *main_out, coda_err *e);
/* "prog: missing operand: WHAT (see prog --help)" on stderr; returns CODA_EXIT_USAGE. */
int coda_missing_operand(const char *prog, const char *what);
/* Print the version line. */
void coda_print_version(const char *prog);
/* A comma-separated list for --help, wrapped at 79 columns with every line indented by
 * `indent` spaces (the first too), ending with a newline. */
void coda_print_wrapped(FILE *to, int indent, const char *list);
/* A scheme's report (coda_plan_report) on stderr: "prog: NAME: key value, key value" with "_"
 * read as a space, then its "warning" on a line of its own; long lists are cut at 12 entries
 * (the whole value is in the output's metadata). */
void coda_print_figures(const char *prog, const char *scheme, const coda_meta *fig);
/* Copy a report into a frame's metadata (its keys as they are, "warning" left out). */
int coda_figures_to_meta(const coda_meta *fig, coda_meta *m, coda_err *e);
/* True when stderr is a terminal (progress is shown only then). */
int coda_stderr_is_tty(void);

/* Progress of a long run: one line on stderr, "prog: ...", rewritten in place at most ten
 * times a second and erased at the end, so that it never mixes into what follows. Shown only
 * when stderr is a terminal and the program is not quiet; one per process. */
void coda_progress_begin(const char *prog, int quiet);
int coda_progress_on(void);
void coda_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void coda_progress_end(void);
/* The hooks the library calls, shown through coda_progress: lib/work's and coda_invert's
 * (a worker done), and lib/solve/lsq's (an iteration of sd/cg over the columns). */
void coda_progress_worker(int worker, int N);
void coda_progress_columns(long iter, size_t done, size_t total);

#endif
