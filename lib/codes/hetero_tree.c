/* The general tree solver (spec §2.4.3): on a support whose bipartite worker-partition graph
 * is a forest, and whose components' Y-sums equal their partition counts, exactly one alpha
 * has row sums Y and column sums 1. Leaf peeling finds it: a leaf's single edge takes what its
 * vertex still lacks. It covers Scheme I, Scheme II, the interval rule and Algorithm 1's
 * blocks, and serves the tests as a second implementation of each. */
#include <math.h>
#include <stdlib.h>

#include "hetero.h"

int coda_hetero_peel(const double *Y, const coda_mat *support, coda_mat *alpha, coda_err *e)
{
    int k = (int)support->rows, n = (int)support->cols, rc = 0;
    size_t V = (size_t)k + (size_t)n; /* vertices: workers 0..k-1, partitions k..k+n-1 */
    int *deg = calloc(V, sizeof *deg), *queue = malloc(V * sizeof *queue);
    double *need = malloc(V * sizeof *need);
    char *used = calloc((size_t)k * (size_t)n, 1);
    if (!deg || !queue || !need || !used) {
        free(deg), free(queue), free(need), free(used);
        return coda_fail_oom(e);
    }
    long edges = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < n; j++)
            if (CODA_AT(support, i, j) != 0) {
                deg[i]++, deg[k + j]++;
                edges++;
            }
    for (int j = 0; j < n && rc == 0; j++)
        if (!deg[k + j])
            rc = coda_fail(e, "support: partition %d is held by no worker", j + 1);
    for (int i = 0; i < k; i++)
        need[i] = Y[i];
    for (int j = 0; j < n; j++)
        need[k + j] = 1;
    size_t head = 0, tail = 0;
    for (size_t v = 0; v < V; v++)
        if (deg[v] == 1)
            queue[tail++] = (int)v;
    long peeled = 0;
    while (rc == 0 && head < tail) {
        int v = queue[head++];
        if (deg[v] != 1)
            continue;
        /* its one remaining edge */
        int i = -1, j = -1;
        if (v < k) {
            i = v;
            for (int t = 0; t < n && j < 0; t++)
                if (CODA_AT(support, i, t) != 0 && !used[(size_t)t * (size_t)k + (size_t)i])
                    j = t;
        } else {
            j = v - k;
            for (int t = 0; t < k && i < 0; t++)
                if (CODA_AT(support, t, j) != 0 && !used[(size_t)j * (size_t)k + (size_t)t])
                    i = t;
        }
        double x = need[v];
        CODA_AT(alpha, i, j) = x;
        used[(size_t)j * (size_t)k + (size_t)i] = 1;
        need[i] -= x, need[k + j] -= x;
        deg[i]--, deg[k + j]--;
        peeled++;
        int other = v < k ? k + j : i;
        if (deg[other] == 1)
            queue[tail++] = other;
    }
    if (rc == 0 && peeled < edges)
        rc = coda_fail(e, "support: its worker-partition graph has a cycle (%ld of %ld entries "
                          "left after peeling the leaves); the tree solver needs a forest",
                       edges - peeled, edges);
    double tol = coda_hetero_tol(n) * 10;
    for (size_t v = 0; v < V && rc == 0; v++)
        if (fabs(need[v]) > tol)
            rc = v < (size_t)k
                     ? coda_fail(e, "support: worker %zu's component has a Y-sum that is not its "
                                    "partition count (row %zu misses %g)", v + 1, v + 1, need[v])
                     : coda_fail(e, "support: partition %zu's component has a Y-sum that is not "
                                    "its partition count (column misses %g)", v - k + 1, need[v]);
    free(deg), free(queue), free(need), free(used);
    return rc;
}
