/* coda-cat: convert matrices between formats, list a stream's frames, select frames. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli/cli.h"
#include "../lib/cli/options.h"
#include "../lib/io/stream.h"
#include "../lib/io/textfmt.h"

static const char *prog = "coda-cat";

enum { O_TAG = 256, O_DTYPE };

static const coda_cli_option options[] = {
    CODA_CLI_OUTPUT,
    CODA_CLI_FORMAT_HELP("bin, csv, tsv, npy, npz or mtx (default: bin into a pipe or file, csv "
                         "to a terminal)"),
    {"dtype", O_DTYPE, "T", "npy/npz output as f8 (float64, the default) or f4 (float32)"},
    {"info", 'i', NULL, "list frames: kind, shape, dtype, tags, metadata"},
    {"kind", 'k', "K", "keep only frames of kind matrix, plan, task or result"},
    {"tag", O_TAG, "NAME=V", "keep only frames whose tag NAME (worker, block, iter, aux) is V "
                             "(repeatable; all must match)"},
    {NULL, 't', "NAME=V", "the deprecated alias of --tag (-t is the toolkit's --adversaries)"},
    {"frame", 'n', "N", "keep only the N-th frame (0-based, counted after --kind/--tag)"},
    {"delimiter", 'd', "C", "text input separated by C: ',', ';', tab ('\\t', 'tab') or blanks "
                            "(' ', 'space'); default: detected"},
    CODA_CLI_QUIET_HELP("no warnings"),
    CODA_CLI_HELP,
    CODA_CLI_VERSION,
    CODA_CLI_END};

static void usage(FILE *to)
{
    fprintf(to, "Usage: coda-cat [OPTIONS] [FILE...]\n"
                "Concatenate coda streams and matrices (binary, CSV, TSV, .npy, .npz, Matrix\n"
                "Market; the input format is detected; FILE.npz:NAME is member NAME) and write\n"
                "them in one format.\n\n");
    coda_cli_print_options(to, options);
    fprintf(to, "\nWith no FILE, or FILE '-', read standard input.\n"
                "See coda-cat(1), coda-format(5).\n");
}

static void print_info(const char *input, long index, unsigned long long offset,
                       const coda_frame *f)
{
    printf("%s: frame %ld at byte %llu: %s %zu x %zu %s", input, index, offset,
           coda_kind_name(f->kind), f->mat.rows, f->mat.cols,
           f->dtype == 2 ? "float32" : "float64");
    for (int t = 0; t < CODA_NTAGS; t++)
        if (f->tag[t] != CODA_NOTAG)
            printf(" %s=%lld", coda_tag_name(t), (long long)f->tag[t]);
    putchar('\n');
    for (size_t i = 0; i < f->meta.n; i++)
        printf("    %s=%s\n", f->meta.key[i], f->meta.val[i]);
}

int main(int argc, char **argv)
{
    const char *out = NULL, *fmt = NULL, *dtype = NULL;
    int info = 0, kind = 0, ntags = 0, quiet = 0, tag_name[CODA_NTAGS * 2];
    char delim = 0;
    long long tag_val[CODA_NTAGS * 2];
    long frame_sel = -1;
    coda_err e;
    int c, old_t = 0;
    coda_cli_getopt g;
    if (coda_cli_getopt_build(&g, options, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return CODA_EXIT_DATA;
    }
    while ((c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': fmt = optarg; break;
        case O_DTYPE:
            if (strcmp(optarg, "f8") && strcmp(optarg, "f4")) {
                coda_say(prog, "option --dtype: expected f8 or f4, got '%s'", optarg);
                return CODA_EXIT_USAGE;
            }
            dtype = optarg;
            break;
        case 'i': info = 1; break;
        case 'q': quiet = 1; break;
        case 'd':
            if (coda_delim_parse(optarg, &delim) < 0) {
                coda_say(prog, "option --delimiter: unknown delimiter '%s' (',', ';', tab, "
                               "space)", optarg);
                return CODA_EXIT_USAGE;
            }
            break;
        case 'k':
            kind = coda_kind_parse(optarg);
            if (!kind) {
                coda_say(prog, "option --kind: unknown kind '%s' (matrix, plan, task, result)",
                         optarg);
                return CODA_EXIT_USAGE;
            }
            break;
        case 't': /* -t is the toolkit's --adversaries; here it was --tag */
            old_t = 1;
            /* fall through */
        case O_TAG: {
            char name[16];
            long long v;
            char extra;
            int tg;
            if (ntags == CODA_NTAGS * 2 ||
                sscanf(optarg, "%15[a-z]=%lld%c", name, &v, &extra) != 2 ||
                (tg = coda_tag_parse(name)) < 0) {
                coda_say(prog, "option --tag: expected NAME=VALUE with NAME worker, block, "
                               "iter or aux, got '%s'", optarg);
                return CODA_EXIT_USAGE;
            }
            tag_name[ntags] = tg;
            tag_val[ntags++] = v;
            break;
        }
        case 'n':
            if (coda_parse_long("--frame", optarg, 0, __LONG_MAX__, &frame_sel, &e) < 0) {
                coda_say(prog, "%s", e.msg);
                return CODA_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return CODA_EXIT_OK;
        case CODA_CLI_VERSION_ID: coda_print_version(prog); return CODA_EXIT_OK;
        default: usage(stderr); return CODA_EXIT_USAGE;
        }
    }
    if (old_t && !quiet)
        coda_say(prog, "warning: -t is deprecated, use --tag");
    /* the output is a temporary file until every input has been read: a failure, or an input
     * that is the output itself, leaves the old file as it was */
    coda_writer w = {0};
    if (!info && coda_open_output(&w, out, fmt, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        return coda_exit_for(&e);
    }
    if (dtype && !info && w.fmt != CODA_FMT_NPY && w.fmt != CODA_FMT_NPZ) {
        coda_writer_abort(&w);
        coda_say(prog, "option --dtype: only npy and npz output take a dtype (this is %s)",
                 coda_format_name(w.fmt));
        return CODA_EXIT_USAGE;
    }
    if (dtype && !strcmp(dtype, "f4"))
        w.dtype = CODA_F32; /* asked for: float32 is never chosen silently */
    int nin = argc - optind, status = CODA_EXIT_OK;
    long selected = 0;
    for (int a = 0; a < (nin ? nin : 1) && status == CODA_EXIT_OK; a++) {
        const char *path = nin ? argv[optind + a] : "-";
        coda_reader r;
        if (coda_reader_open(&r, path, &e) < 0) {
            coda_say(prog, "%s", e.msg);
            status = coda_exit_for(&e);
            break;
        }
        r.in.delim = delim;
        for (;;) {
            coda_frame f;
            unsigned long long at = r.in.off;
            int rc = coda_reader_next_head(&r, &f, &e);
            if (rc == 0)
                break;
            if (rc < 0) {
                coda_say(prog, "%s", e.msg);
                status = coda_exit_for(&e);
                break;
            }
            int keep = !kind || f.kind == kind;
            for (int t = 0; t < ntags && keep; t++)
                keep = f.tag[tag_name[t]] == tag_val[t];
            if (keep && frame_sel >= 0)
                keep = selected++ == frame_sel;
            /* payloads go through in pieces (binary, .npy and .npz of float64 out), as they
             * are or converted chunk by chunk when column-major; --info and unselected
             * frames skip them */
            if (!keep || info)
                rc = coda_reader_pass(&r, NULL, &e);
            else
                rc = coda_writer_copy(&w, &r, &f, &e);
            if (w.warning[0] && !quiet)
                coda_say(prog, "warning: %s", w.warning);
            w.warning[0] = '\0';
            if (rc >= 0 && keep && info)
                print_info(r.in.name, r.frames - 1, at, &f);
            if (rc < 0) {
                coda_say(prog, "%s", e.msg);
                status = coda_exit_for(&e);
            }
            coda_frame_free(&f);
            if (status != CODA_EXIT_OK)
                break;
        }
        coda_reader_close(&r);
    }
    if (status == CODA_EXIT_OK && frame_sel >= 0 && selected <= frame_sel) {
        coda_say(prog, "frame %ld not found: the input has %ld matching frames", frame_sel,
                 selected);
        status = CODA_EXIT_DATA;
    }
    if (status != CODA_EXIT_OK)
        coda_writer_abort(&w);
    else if (!info && coda_writer_close(&w, &e) < 0) {
        coda_say(prog, "%s", e.msg);
        status = coda_exit_for(&e);
    }
    return status;
}
