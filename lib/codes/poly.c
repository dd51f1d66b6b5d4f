/* poly: polynomial codes (Yu, Maddah-Ali, Avestimehr 2017, arXiv:1705.10464). A in m row
 * blocks, B in m column blocks; A~_s = sum_i t_s^i A_i, B~_s = sum_j t_s^(j m) B_j; any m^2 of
 * P workers decode, each returning one (Nr/m x Nc/m) combination of the blocks' products. */
#include "product.h"

static const coda_scheme_option options[] = {
    {"m", 'm', "M", "pieces per factor: any M^2 of N workers decode", 0},
    CODA_PRODUCT_POINT_OPTIONS,
    {NULL, 0, NULL, NULL, 0}};

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    return coda_product_build(p, a, "poly", e);
}

const coda_scheme coda_scheme_poly = {
    .name = "poly",
    .summary = "polynomial codes for A B: exact from any m^2 of P workers",
    .caps = CODA_CAP_CONCATS | CODA_CAP_BOTH_FACTORS,
    .options = options,
    .build = build,
    .encode = coda_product_encode_s,
    .decode = coda_product_decode_s,
    .load = coda_product_plan_check,
    .result_shape = coda_product_result_shape,
};
