/* Scheme II of papers/hetero-gc.txt (Appendix A.2, eqs. 25-27): worker i holds partitions
 * l_i .. l_i + b_i - 1 and shares the first with worker i-1, taking what worker i-1 left of
 * it. The third line of eq. (26) reads alpha_{i-1}^{l_i} (the carried share c), not
 * alpha_{i-1}^j (spec §2.4.2, a typo in the paper). Middle workers need b_i >= 2. */
#include "hetero.h"

int coda_hetero_chain(const double *Y, const int *b, const int *rows, int m, int col0,
                      int ncols, coda_mat *alpha, coda_err *e)
{
    if (coda_hetero_check_b(b, m, ncols, 1, e) < 0)
        return -1;
    int l = 0; /* l_i, 0-based */
    double c = 0;
    for (int i = 0; i < m; i++) {
        int r = rows[i];
        if (i == 0) {
            for (int j = 0; j < b[0] - 1; j++)
                CODA_AT(alpha, r, col0 + j) = 1;
            c = Y[0] - b[0] + 1;
            CODA_AT(alpha, r, col0 + b[0] - 1) = c;
            if (m == 1)
                CODA_AT(alpha, r, col0 + b[0] - 1) = 1; /* one worker: its Y is n */
        } else if (b[i] == 1) { /* the last worker, inside partition l */
            CODA_AT(alpha, r, col0 + l) = 1 - c;
        } else {
            CODA_AT(alpha, r, col0 + l) = 1 - c;
            for (int j = l + 1; j < l + b[i] - 1; j++)
                CODA_AT(alpha, r, col0 + j) = 1;
            double next = Y[i] + c - b[i] + 1;
            CODA_AT(alpha, r, col0 + l + b[i] - 1) = next;
            c = next;
        }
        l += b[i] - 1;
    }
    return 0;
}
