/* Adversaries in the worker stage: which workers are corrupt in a round, and what a corrupt
 * worker sends instead of its honest result. Corruption touches outgoing results only (the
 * worker's data and the master's broadcast stay intact), except wrong-input, which computes a
 * plausible product from a perturbed copy of the operand. Every draw comes from (seed, purpose,
 * round, worker), so a round replays byte for byte.
 *
 * Kinds (the N(0, sigma^2) additive attack of papers/byzantine.txt §7 is the default):
 *   gauss:S       add N(0, S^2) noise to every entry (S = 100 when omitted)
 *   replace:S     send N(0, S^2) noise instead of the result
 *   scale:C       multiply by C;  flip = scale:-1;  zero = scale:0
 *   const:C       send C in every entry
 *   sparse:K:S    add N(0, S^2) to K entries chosen at random
 *   small:S       add N(0, S^2) with S meant below a decoder's tolerance (a probe)
 *   uniform:A     add U(-A, A) noise
 *   wrong-input:S compute with operand + N(0, S^2) noise
 *   collude:S     every corrupt worker adds the same N(0, S^2) vector */
#ifndef CODA_ADVERSARY_H
#define CODA_ADVERSARY_H

#include <stddef.h>

#include "../core/mat.h"

typedef enum {
    CODA_ATK_NONE,
    CODA_ATK_GAUSS,
    CODA_ATK_REPLACE,
    CODA_ATK_SCALE,
    CODA_ATK_CONST,
    CODA_ATK_SPARSE,
    CODA_ATK_SMALL,
    CODA_ATK_UNIFORM,
    CODA_ATK_WRONG_INPUT,
    CODA_ATK_COLLUDE
} coda_attack_kind;

typedef struct {
    long t;             /* corrupt workers drawn uniformly per round; 0: none */
    const long *named;  /* or exactly these (then t is ignored) */
    size_t nnamed;
    coda_attack_kind kind;
    double sigma;       /* noise scale (gauss, replace, sparse, small, wrong-input, collude) */
    double c;           /* scale:C, const:C, uniform:A */
    long k;             /* sparse:K */
    unsigned long long seed, round;
} coda_adversary;

/* "gauss[:S]", "replace:S", "scale:C", "flip", "zero", "const:C", "sparse:K:S", "small:S",
 * "uniform:A", "wrong-input:S", "collude[:S]". Usage class on error. */
int coda_attack_parse(const char *spec, coda_adversary *a, coda_err *e);
/* The canonical name of the attack ("gauss:100"), for reports and metadata. */
void coda_attack_name(const coda_adversary *a, char *buf, size_t cap);
/* Which of N workers are corrupt this round (corrupt[i] = 1); t > N or a named worker outside
 * 0..N-1 is a usage error. */
int coda_adversary_draw(const coda_adversary *a, int N, char *corrupt, coda_err *e);
/* Corrupt worker w's outgoing result in place (every kind but wrong-input). */
int coda_attack_result(const coda_adversary *a, int w, coda_mat *result, coda_err *e);
/* wrong-input: the perturbed operand worker w computes with (a fresh matrix). */
int coda_attack_operand(const coda_adversary *a, int w, const coda_mat *operand,
                        coda_mat *perturbed, coda_err *e);

#endif
