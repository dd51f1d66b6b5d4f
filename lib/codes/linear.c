/* linear: the MatDot split with any coefficients, a code found by the code search
 * (coda-assign --scheme matdot-search, [approx-matdot] §IV); decoded by least squares on the
 * responders' codes, with the error report. */
#include "product.h"

static const coda_scheme_option options[] = {
    {"code", 0, "FILE", "the 2M x N code of coda-assign --scheme matdot-search", 0},
    {"m", 'm', "M", "pieces per factor: must be the code's (its rows / 2)", 0},
    {NULL, 0, NULL, NULL, 0}};

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    if (!a->code && !coda_scheme_opt(a, "code"))
        return coda_failc(e, CODA_E_USAGE, "--scheme linear needs --code FILE");
    return coda_product_build(p, a, "linear", e);
}

const coda_scheme coda_scheme_linear = {
    .name = "linear",
    .summary = "a searched linear code for A B (coda-assign --scheme matdot-search)",
    .caps = CODA_CAP_CONCATS | CODA_CAP_BOTH_FACTORS | CODA_CAP_APPROX,
    .options = options,
    .build = build,
    .encode = coda_product_encode_s,
    .decode = coda_product_decode_s,
    .load = coda_product_plan_check,
    .result_shape = coda_product_result_shape,
};
