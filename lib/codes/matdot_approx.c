/* matdot-approx: epsilon-approximate MatDot ([approx-matdot] §III-B): the MatDot code with
 * points near 0, decoded from any m of P workers within an error the decode predicts, relative
 * to ||A||_F ||B||_F. The radius is chosen at encode time from the points and the block norms. */
#include "product.h"

static const coda_scheme_option options[] = {
    {"m", 'm', "M", "pieces per factor: any M of N workers decode", 0},
    {"eps", 0, "E", "target error relative to ||A||_F ||B||_F; refused when float64 cannot "
                    "reach it (unless --force)", 0},
    {"radius", 0, "R", "auto (default), tight, paper (both need --eps), or a number in (0, 1]",
     0},
    {"points", 0, "P", "equi (default) or cheb nodes", 0},
    {"design-responders", 0, "R", "choose the radius for R responders (default M)", 0},
    {"force", 0, NULL, "encode even when --eps is not reachable", 0},
    {"decoder", 0, "D", "from M..2M-2 responders: interp (default; interpolation in the "
                        "scaled points) or minnorm (the paper's Algorithm 1) (coda-decode)", 1},
    {NULL, 0, NULL, NULL, 0}};

static int build(coda_plan *p, const coda_scheme_args *a, coda_err *e)
{
    return coda_product_build(p, a, "matdot-approx", e);
}

/* The radius chosen and the error it predicts (first order, relative to ||A||_F ||B||_F). */
static int report(const coda_plan *p, coda_meta *fig, coda_err *e)
{
    static const char *const keys[][2] = {{"radius", "radius"},
                                          {"predicted", "predicted_error"},
                                          {"design_responders", "from_responders"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = coda_meta_get(&p->extra, keys[i][0]);
        if (v && coda_meta_set(fig, keys[i][1], v, e) < 0)
            return -1;
    }
    return 0;
}

const coda_scheme coda_scheme_matdot_approx = {
    .name = "matdot-approx",
    .summary = "approximate MatDot for A B: any m of P workers, within a predicted error",
    .caps = CODA_CAP_CONCATS | CODA_CAP_BOTH_FACTORS | CODA_CAP_APPROX,
    .options = options,
    .build = build,
    .encode = coda_product_encode_s,
    .decode = coda_product_decode_s,
    .load = coda_product_plan_check,
    .result_shape = coda_product_result_shape,
    .report = report,
};
