#include "options.h"

#include <string.h>

static int is_option(const coda_cli_option *o) { return o->id > 0; }
static int is_short(const coda_cli_option *o) { return o->id > 0 && o->id < 256; }

int coda_cli_getopt_build(coda_cli_getopt *g, const coda_cli_option *opts, coda_err *e)
{
    memset(g, 0, sizeof *g);
    size_t nl = 0, ns = 0;
    for (const coda_cli_option *o = opts; o->name || o->id; o++) {
        if (!is_option(o))
            continue;
        if (nl == CODA_CLI_MAX_OPTIONS)
            return coda_fail(e, "more than %d options", CODA_CLI_MAX_OPTIONS);
        /* getopt would take the first of two entries silently: a table's own mistake */
        if (is_short(o) && strchr(g->shortopts, o->id))
            return coda_fail(e, "option table: -%c given twice", o->id);
        for (size_t k = 0; k < nl; k++) {
            if (o->name && strcmp(g->longopts[k].name, o->name) == 0)
                return coda_fail(e, "option table: --%s given twice", o->name);
            if (g->longopts[k].val == o->id)
                return coda_fail(e, "option table: --%s has the id of --%s",
                                 o->name ? o->name : "?", g->longopts[k].name);
        }
        if (o->name)
            g->longopts[nl++] =
                (struct option){o->name, o->arg ? required_argument : no_argument, 0, o->id};
        if (is_short(o)) {
            g->shortopts[ns++] = (char)o->id;
            if (o->arg)
                g->shortopts[ns++] = ':';
        }
    }
    return 0;
}

/* "-o, --output FILE" into buf; its length */
static size_t spell(const coda_cli_option *o, char *buf, size_t cap)
{
    int k = 0;
    if (is_short(o) && o->name)
        k = snprintf(buf, cap, "-%c, --%s", o->id, o->name);
    else if (is_short(o))
        k = snprintf(buf, cap, "-%c", o->id);
    else
        k = snprintf(buf, cap, "--%s", o->name);
    if (o->arg && k >= 0 && (size_t)k < cap)
        k += snprintf(buf + k, cap - (size_t)k, " %s", o->arg);
    return k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
}

/* help from column col on, its "\n"s kept and its words wrapped before column 80 */
static void print_help(FILE *to, const char *h, size_t col)
{
    size_t width = col + 20 < 79 ? 79 - col : 20, at = 0;
    while (*h) {
        size_t line = strcspn(h, "\n");
        while (line > 0) {
            size_t take = line;
            if (at + take > width) { /* the last space that fits, else the first one */
                size_t k = width > at ? width - at : 0;
                while (k > 0 && h[k] != ' ')
                    k--;
                if (k == 0)
                    k = strcspn(h, " ") < line ? strcspn(h, " ") : line;
                take = k;
            }
            fprintf(to, "%.*s", (int)take, h);
            h += take, line -= take, at += take;
            if (line > 0) { /* a wrapped line: the rest on the next one, at the column */
                while (*h == ' ')
                    h++, line--;
                fprintf(to, "\n%*s", (int)col, "");
                at = 0;
            }
        }
        fputc('\n', to);
        at = 0;
        if (*h == '\n' && *++h)
            fprintf(to, "%*s", (int)col, "");
    }
}

void coda_cli_print_entry(FILE *to, int indent, int col, const char *head, const char *help)
{
    int w = indent + (int)strlen(head) + 2;
    fprintf(to, "%*s%s", indent, "", head);
    if (w > col)
        fprintf(to, "\n%*s", col, "");
    else
        fprintf(to, "%*s", col - w + 2, "");
    print_help(to, help ? help : "", (size_t)col);
    if (!help || !*help)
        fputc('\n', to);
}

void coda_cli_print_options(FILE *to, const coda_cli_option *opts)
{
    enum { MAX_COL = 28 };
    char buf[96];
    int col = 0;
    for (const coda_cli_option *o = opts; o->name || o->id; o++) {
        int w = is_option(o) ? (int)spell(o, buf, sizeof buf) + 4 : 0;
        if (w <= MAX_COL && w > col)
            col = w;
    }
    for (const coda_cli_option *o = opts; o->name || o->id; o++) {
        if (!is_option(o)) {
            fprintf(to, "\n%s\n", o->help);
            continue;
        }
        spell(o, buf, sizeof buf);
        coda_cli_print_entry(to, 2, col, buf, o->help);
    }
}

int coda_cli_has(const coda_cli_option *opts, int c)
{
    for (const coda_cli_option *o = opts; o->name || o->id; o++)
        if (is_option(o) && o->id == c)
            return 1;
    return 0;
}
