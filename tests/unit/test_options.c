/* lib/cli/options: the getopt tables and the --help lines generated from one option list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/cli/options.h"
#include "check.h"

enum { O_LONG_ONLY = 256, O_FLAG };

static const coda_cli_option opts[] = {
    {"long-only", O_LONG_ONLY, "X", "a long option with a value"},
    {"flag", O_FLAG, NULL, "a flag"},
    {NULL, 'm', "M", "a short option alone"},
    CODA_CLI_HEADING("A heading:"),
    {"wordy", 'w', "LIST",
     "a help text long enough that it has to be wrapped at least once, and probably twice, "
     "before the seventy-ninth column is reached by any of its lines\nand a line of its own"},
    CODA_CLI_SEED,
    CODA_CLI_COMMON,
    CODA_CLI_END};

/* the column at which needle starts on its line */
static int column_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    if (!at)
        return -1;
    const char *line = at;
    while (line > text && line[-1] != '\n')
        line--;
    return (int)(at - line);
}

int main(void)
{
    coda_err e;
    coda_cli_getopt g;
    CHECK(coda_cli_getopt_build(&g, opts, &e) == 0, "%s", e.msg);
    CHECK(strcmp(g.shortopts, "m:w:o:f:qh") == 0, "short options '%s'", g.shortopts);
    size_t n = 0;
    while (g.longopts[n].name)
        n++;
    CHECK(n == 9, "%zu long options, not 9 (-m has none, the heading is none)", n);
    CHECK(strcmp(g.longopts[0].name, "long-only") == 0 && g.longopts[0].val == O_LONG_ONLY &&
              g.longopts[0].has_arg == required_argument,
          "the first entry");
    CHECK(g.longopts[1].has_arg == no_argument, "a flag takes no argument");

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    coda_cli_print_options(f, opts);
    fclose(f);
    int longest = 0;
    for (char *l = text; *l;) {
        char *nl = strchr(l, '\n');
        int w = (int)(nl ? nl - l : (long)strlen(l));
        longest = w > longest ? w : longest;
        l = nl ? nl + 1 : l + w;
    }
    CHECK(longest <= 79, "a help line of %d columns", longest);
    const char *want[] = {"  --long-only X", "  --flag ", "  -m M ", "\nA heading:\n",
                          "  -w, --wordy LIST", "\n   ", "and a line of its own\n",
                          "  --seed N", "  -o, --output FILE", "  -h, --help",
                          "  --version"};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        CHECK(strstr(text, want[k]) != NULL, "--help lacks '%s':\n%s", want[k], text);
    /* every help text starts at one column, a wrapped line's rest too */
    int c1 = column_of(text, "a long option"), c2 = column_of(text, "a flag"),
        c3 = column_of(text, "and a line of its own");
    CHECK(c1 > 0 && c1 == c2 && c1 == c3, "help columns %d, %d, %d", c1, c2, c3);
    CHECK(coda_cli_has(opts, 'w') && coda_cli_has(opts, CODA_CLI_SEED_ID) &&
              !coda_cli_has(opts, 'z') && !coda_cli_has(opts, -1),
          "coda_cli_has");
    free(text);
    /* an option given twice in a table is the table's mistake, refused when it is built */
    const coda_cli_option twice_long[] = {{"same", 256, NULL, "one"}, {"same", 257, NULL, "two"},
                                          CODA_CLI_END},
                          twice_short[] = {{"one", 'x', NULL, "one"}, {NULL, 'x', "X", "two"},
                                           CODA_CLI_END},
                          twice_id[] = {{"one", 256, NULL, "one"}, {"two", 256, NULL, "two"},
                                        CODA_CLI_END};
    CHECK(coda_cli_getopt_build(&g, twice_long, &e) < 0 && strstr(e.msg, "--same"),
          "a long name given twice: %s", e.msg);
    CHECK(coda_cli_getopt_build(&g, twice_short, &e) < 0 && strstr(e.msg, "-x"),
          "a letter given twice: %s", e.msg);
    CHECK(coda_cli_getopt_build(&g, twice_id, &e) < 0, "an id given twice");
    return check_summary();
}
