/* The interval rule (spec §2.4.3, R-II): lay the workers' row sums end to end on [0, n];
 * worker i owns [c_{i-1}, c_i], partition j is the cell [j-1, j], and alpha_ij is the length
 * of their overlap (the north-west-corner rule of a transportation problem). Row sums Y_i,
 * column sums 1, every entry in [0, 1], and a tree support: Scheme II with b chosen so that
 * nothing is negative. */
#include <math.h>

#include "hetero.h"

/* c snapped to the nearest integer when within tol (so that an integer prefix cuts cleanly) */
static double snap(double c, double tol)
{
    double r = round(c);
    return fabs(c - r) <= tol ? r : c;
}

void coda_hetero_interval(const double *Y, const int *rows, int m, int col0, int ncols,
                          double tol, coda_mat *alpha)
{
    double c0 = 0;
    for (int i = 0; i < m; i++) {
        double c1 = i == m - 1 ? ncols : snap(c0 + Y[i], tol);
        if (c1 > ncols)
            c1 = ncols;
        int lo = (int)floor(c0), hi = (int)ceil(c1);
        for (int j = lo; j < hi && j < ncols; j++) {
            double ov = fmin(j + 1.0, c1) - fmax((double)j, c0);
            if (ov > 0)
                CODA_AT(alpha, rows[i], col0 + j) = ov;
        }
        c0 = c1;
    }
}

void coda_hetero_interval_b(const double *Y, int m, int n, double tol, int *b)
{
    double c0 = 0;
    for (int i = 0; i < m; i++) {
        double c1 = i == m - 1 ? n : snap(c0 + Y[i], tol);
        if (c1 > n)
            c1 = n;
        b[i] = c1 > c0 ? (int)ceil(c1) - (int)floor(c0) : 0;
        c0 = c1;
    }
}
