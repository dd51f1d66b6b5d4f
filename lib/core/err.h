/* Error reporting for libcoda: every fallible call takes a coda_err and returns -1 (or NULL)
 * after filling it; the program decides what to do. lib/ never exits. */
#ifndef CODA_ERR_H
#define CODA_ERR_H

typedef struct {
    char msg[1024];
} coda_err;

/* Format a message into e (if non-NULL) and return -1, so callers can `return coda_fail(...)`. */
int coda_fail(coda_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix an existing message with more context ("input.csv: " + msg). Returns -1. */
int coda_fail_prefix(coda_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
