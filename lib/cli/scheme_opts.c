#include "scheme_opts.h"

#include "options.h"

#include <stdlib.h>
#include <string.h>

/* the options of the schemes of this kind (encode-time or decode-time), by name */
static int wanted(const coda_scheme_option *o, int at_decode) { return o->at_decode == at_decode; }

static int known(const char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

int coda_scheme_cli_init(coda_scheme_cli *c, const struct option *base, const char *base_short,
                         int at_decode, coda_err *e)
{
    memset(c, 0, sizeof *c);
    c->at_decode = at_decode;
    size_t nbase = 0, total = 0;
    while (base[nbase].name)
        nbase++;
    const coda_scheme *const *list = coda_scheme_list();
    for (int i = 0; list[i]; i++)
        for (const coda_scheme_option *o = list[i]->options; o && o->name; o++)
            total++;
    c->names = malloc((total ? total : 1) * sizeof *c->names);
    c->longopts = calloc(nbase + total + 1, sizeof *c->longopts);
    c->shortopts = malloc(strlen(base_short) + 3 * total + 1);
    if (!c->names || !c->longopts || !c->shortopts) {
        coda_scheme_cli_free(c);
        return coda_fail_oom(e);
    }
    memcpy(c->longopts, base, nbase * sizeof *base);
    strcpy(c->shortopts, base_short);
    size_t nl = nbase;
    for (int i = 0; list[i]; i++)
        for (const coda_scheme_option *o = list[i]->options; o && o->name; o++) {
            if (!wanted(o, at_decode) || known(c->names, c->nnames, o->name) >= 0)
                continue;
            int code = CODA_OPT_SCHEME_BASE + (int)c->nnames;
            c->names[c->nnames++] = o->name;
            if (o->short_opt && !strchr(c->shortopts, o->short_opt)) {
                size_t k = strlen(c->shortopts);
                c->shortopts[k++] = (char)o->short_opt;
                if (o->arg)
                    c->shortopts[k++] = ':';
                c->shortopts[k] = '\0';
            }
            if (strlen(o->name) > 1) /* a one-letter option is short only */
                c->longopts[nl++] = (struct option){o->name, o->arg ? required_argument
                                                                    : no_argument,
                                                    0, code};
        }
    return 0;
}

int coda_scheme_cli_option(coda_scheme_cli *c, int code, const char *arg, coda_err *e)
{
    const char *name = NULL;
    if (code >= CODA_OPT_SCHEME_BASE && code < CODA_OPT_SCHEME_BASE + (int)c->nnames)
        name = c->names[code - CODA_OPT_SCHEME_BASE];
    else if (code > 0 && code < 128) { /* a scheme's short option: its one-letter name */
        for (size_t i = 0; i < c->nnames && !name; i++)
            if (c->names[i][0] == code && c->names[i][1] == '\0')
                name = c->names[i];
        /* or the short form of a long name (byz's -t for --adversaries) */
        const coda_scheme *const *list = coda_scheme_list();
        for (int i = 0; list[i] && !name; i++)
            for (const coda_scheme_option *o = list[i]->options; o && o->name && !name; o++)
                if (o->short_opt == code && o->name[1] && wanted(o, c->at_decode))
                    name = o->name;
    }
    if (!name)
        return 0;
    return coda_meta_set(&c->given, name, arg ? arg : "1", e) < 0 ? -1 : 1;
}

void coda_scheme_cli_take(coda_scheme_cli *c, const char *name)
{
    for (size_t i = 0; i < c->given.n; i++)
        if (strcmp(c->given.key[i], name) == 0) {
            free(c->given.key[i]);
            free(c->given.val[i]);
            memmove(c->given.key + i, c->given.key + i + 1, (c->given.n - i - 1) * sizeof(char *));
            memmove(c->given.val + i, c->given.val + i + 1, (c->given.n - i - 1) * sizeof(char *));
            c->given.n--;
            return;
        }
}

static int takes(const coda_scheme *sc, const char *name, int at_decode)
{
    for (const coda_scheme_option *o = sc->options; o && o->name; o++)
        if (o->at_decode == at_decode && strcmp(o->name, name) == 0)
            return 1;
    return 0;
}

int coda_scheme_cli_check(const coda_scheme_cli *c, const coda_scheme *sc, coda_err *e)
{
    for (size_t i = 0; i < c->given.n; i++) {
        const char *name = c->given.key[i];
        if (takes(sc, name, c->at_decode))
            continue;
        char who[160] = "";
        size_t off = 0;
        const coda_scheme *const *list = coda_scheme_list();
        for (int k = 0; list[k] && off < sizeof who; k++)
            if (takes(list[k], name, c->at_decode))
                off += (size_t)snprintf(who + off, sizeof who - off, "%s%s", off ? ", " : "",
                                        list[k]->name);
        return coda_failc(e, CODA_E_USAGE, "option %s%s is for %s, not %s", name[1] ? "--" : "-",
                          name, who, sc->name);
    }
    return 0;
}

void coda_scheme_cli_usage(FILE *to, int at_decode)
{
    const coda_scheme *const *list = coda_scheme_list();
    for (int i = 0; list[i]; i++) {
        int any = 0;
        for (const coda_scheme_option *o = list[i]->options; o && o->name; o++) {
            if (!wanted(o, at_decode))
                continue;
            if (!any++)
                fprintf(to, "  %s:\n", list[i]->name);
            char head[48];
            if (o->name[1] == '\0')
                snprintf(head, sizeof head, "-%s%s%s", o->name, o->arg ? " " : "",
                         o->arg ? o->arg : "");
            else if (o->short_opt)
                snprintf(head, sizeof head, "-%c, --%s%s%s", o->short_opt, o->name,
                         o->arg ? " " : "", o->arg ? o->arg : "");
            else
                snprintf(head, sizeof head, "--%s%s%s", o->name, o->arg ? " " : "",
                         o->arg ? o->arg : "");
            coda_cli_print_entry(to, 4, 29, head, o->help);
        }
    }
}

void coda_scheme_cli_free(coda_scheme_cli *c)
{
    free(c->longopts);
    free(c->shortopts);
    free(c->names);
    coda_meta_free(&c->given);
    memset(c, 0, sizeof *c);
}
