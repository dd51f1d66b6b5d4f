/* Error reporting for libcoda: every fallible call takes a coda_err and returns -1 (or NULL)
 * after filling it with a message and a class; the program maps the class to its exit status
 * (lib/cli) and a loop can tell "too few responders this round" from a fatal error. lib/ never
 * exits. */
#ifndef CODA_ERR_H
#define CODA_ERR_H

typedef enum {
    CODA_E_DATA = 0, /* the input is malformed or inconsistent (the default class) */
    CODA_E_USAGE,    /* a malformed command line: unknown option, bad value, bad format name */
    CODA_E_FEW,      /* too few responders to decode (this round) */
    CODA_E_SUSPECT,  /* a verification failed: the result cannot be trusted */
    CODA_E_NUMERIC,  /* a numerical failure: singular, rank deficient, not converged */
    CODA_E_MEMORY,   /* an allocation failed or would exceed the memory limit */
    CODA_E_IO        /* reading or writing a file or stream failed */
} coda_errclass;

typedef struct {
    coda_errclass cls;
    char msg[1024];
} coda_err;

/* Format a message into e (if non-NULL), class CODA_E_DATA, and return -1, so callers can
 * `return coda_fail(...)`. */
int coda_fail(coda_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with an explicit class. */
int coda_failc(coda_err *e, coda_errclass cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "out of memory", class CODA_E_MEMORY. */
int coda_fail_oom(coda_err *e);

/* Prefix an existing message with more context ("input.csv: " + msg); keeps the class.
 * Returns -1. */
int coda_fail_prefix(coda_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "data", "usage", "too-few", "suspect", "numeric", "memory", "io". */
const char *coda_errclass_name(coda_errclass cls);

#endif
