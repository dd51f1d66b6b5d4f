#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vformat(coda_err *e, coda_errclass cls, const char *fmt, va_list ap)
{
    e->cls = cls;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

int coda_fail(coda_err *e, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vformat(e, CODA_E_DATA, fmt, ap);
    va_end(ap);
    return -1;
}

int coda_failc(coda_err *e, coda_errclass cls, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vformat(e, cls, fmt, ap);
    va_end(ap);
    return -1;
}

int coda_fail_oom(coda_err *e) { return coda_failc(e, CODA_E_MEMORY, "out of memory"); }

int coda_fail_prefix(coda_err *e, const char *fmt, ...)
{
    if (!e)
        return -1;
    char prefix[512], old[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n >= sizeof e->msg)
        n = sizeof e->msg - 1;
    memcpy(e->msg, prefix, n);
    size_t rest = strlen(old);
    if (rest > sizeof e->msg - 1 - n)
        rest = sizeof e->msg - 1 - n;
    memcpy(e->msg + n, old, rest);
    e->msg[n + rest] = '\0';
    return -1;
}

const char *coda_errclass_name(coda_errclass cls)
{
    static const char *const names[] = {"data",    "usage",   "too-few", "suspect",
                                        "numeric", "memory",  "io"};
    return (unsigned)cls < sizeof names / sizeof names[0] ? names[cls] : "data";
}
