/* matdot: MatDot codes ([approx-matdot] §III). A in m column blocks, B in m row blocks; worker
 * s holds A~_s = sum_i l_s^i A_i and B~_s = sum_j l_s^(m-1-j) B_j, and any 2m-1 of P workers
 * give A B exactly (interpolation at the points l_s). */
#include "product.h"

static const coda_scheme_option options[] = {
    {"m", 'm', "M", "pieces per factor: any 2M-1 of N workers decode", 0},
    CODA_PRODUCT_POINT_OPTIONS,
    {"decoder", 0, "D", "interp (default) or minnorm (coda-decode)", 1},
    {NULL, 0, NULL, NULL, 0}};

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    return coda_product_build(p, a, "matdot", e);
}

const coda_scheme coda_scheme_matdot = {
    .name = "matdot",
    .summary = "MatDot codes for A B: exact from any 2m-1 of P workers",
    .caps = CODA_CAP_CONCATS | CODA_CAP_BOTH_FACTORS,
    .options = options,
    .build = build,
    .encode = coda_product_encode_s,
    .decode = coda_product_decode_s,
    .load = coda_product_plan_check,
    .result_shape = coda_product_result_shape,
};
