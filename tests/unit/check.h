/* A minimal unit-test harness: CHECK counts, reports failures with file:line, and main ends
 * with "unit: N passed, M failed". */
#ifndef CODA_CHECK_H
#define CODA_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond)                                                                                  \
            check_passed++;                                                                        \
        else {                                                                                     \
            check_failed++;                                                                        \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                 \
            printf(__VA_ARGS__);                                                                   \
            putchar('\n');                                                                         \
        }                                                                                          \
    } while (0)

static inline int check_summary(void)
{
    printf("unit: %d passed, %d failed\n", check_passed, check_failed);
    return check_failed != 0;
}

#endif
