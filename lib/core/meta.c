#include "meta.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void coda_meta_free(coda_meta *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->key[i]);
        free(m->val[i]);
    }
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

int coda_meta_key_ok(const char *key)
{
    if (!*key)
        return 0;
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return 0;
    return 1;
}

int coda_meta_set(coda_meta *m, const char *key, const char *val, coda_err *e)
{
    char q[CODA_ESC_BUF];
    if (!coda_meta_key_ok(key))
        return coda_fail(e, "bad metadata key '%s'", coda_escape(q, key, strlen(key)));
    if (strchr(val, '\n'))
        return coda_fail(e, "metadata value for '%s' contains a newline",
                         coda_escape(q, key, strlen(key)));
    char *v = strdup(val);
    if (!v)
        return coda_fail_oom(e);
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->key[i], key) == 0) {
            free(m->val[i]);
            m->val[i] = v;
            return 0;
        }
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        char **k = realloc(m->key, cap * sizeof *k);
        if (k)
            m->key = k;
        char **vv = k ? realloc(m->val, cap * sizeof *vv) : NULL;
        if (!k || !vv) {
            free(v);
            return coda_fail_oom(e);
        }
        m->val = vv;
        m->cap = cap;
    }
    m->key[m->n] = strdup(key);
    if (!m->key[m->n]) {
        free(v);
        return coda_fail_oom(e);
    }
    m->val[m->n++] = v;
    return 0;
}

int coda_meta_setf(coda_meta *m, coda_err *e, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = malloc((size_t)n + 1);
    if (!buf)
        return coda_fail_oom(e);
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = coda_meta_set(m, key, buf, e);
    free(buf);
    return rc;
}

int coda_meta_set_double(coda_meta *m, const char *key, double v, coda_err *e)
{
    return coda_meta_setf(m, e, key, "%.17g", v);
}

int coda_meta_set_long(coda_meta *m, const char *key, long long v, coda_err *e)
{
    return coda_meta_setf(m, e, key, "%lld", v);
}

int coda_meta_copy(coda_meta *dst, const coda_meta *src, coda_err *e)
{
    memset(dst, 0, sizeof *dst);
    for (size_t i = 0; i < src->n; i++)
        if (coda_meta_set(dst, src->key[i], src->val[i], e) < 0) {
            coda_meta_free(dst);
            return -1;
        }
    return 0;
}

const char *coda_meta_get(const coda_meta *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->key[i], key) == 0)
            return m->val[i];
    return NULL;
}

int coda_meta_get_long(const coda_meta *m, const char *key, long long *out, coda_err *e)
{
    const char *v = coda_meta_get(m, key);
    if (!v)
        return coda_fail(e, "metadata key '%s' missing", key);
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end) {
        char q[CODA_ESC_BUF];
        return coda_fail(e, "metadata %s=%s is not an integer", key, coda_escape(q, v, strlen(v)));
    }
    *out = x;
    return 0;
}

int coda_meta_get_double(const coda_meta *m, const char *key, double *out, coda_err *e)
{
    const char *v = coda_meta_get(m, key);
    if (!v)
        return coda_fail(e, "metadata key '%s' missing", key);
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end) {
        char q[CODA_ESC_BUF];
        return coda_fail(e, "metadata %s=%s is not a number", key, coda_escape(q, v, strlen(v)));
    }
    *out = x;
    return 0;
}

int coda_split_longs(const char *s, long long **out, size_t *n)
{
    size_t cnt = 1;
    for (const char *p = s; *p; p++)
        cnt += *p == ',';
    long long *a = malloc(cnt * sizeof *a);
    if (!a)
        return -1;
    const char *p = s;
    for (size_t i = 0; i < cnt; i++) {
        char *end;
        errno = 0;
        a[i] = strtoll(p, &end, 10);
        if (errno || end == p || (*end != ',' && *end != '\0')) {
            free(a);
            return -1;
        }
        p = end + (*end == ',');
    }
    *out = a;
    *n = cnt;
    return 0;
}

int coda_meta_get_longs(const coda_meta *m, const char *key, long long **out, size_t *n,
                        coda_err *e)
{
    const char *v = coda_meta_get(m, key);
    if (!v)
        return coda_fail(e, "metadata key '%s' missing", key);
    if (coda_split_longs(v, out, n) < 0) {
        char q[CODA_ESC_BUF];
        return coda_fail(e, "metadata %s=%s is not a list of integers", key,
                         coda_escape(q, v, strlen(v)));
    }
    return 0;
}

int coda_meta_set_doubles(coda_meta *m, const char *key, const double *v, size_t n, coda_err *e)
{
    char *buf = malloc(n * 26 + 1);
    if (!buf)
        return coda_fail_oom(e);
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        off += (size_t)sprintf(buf + off, "%s%.17g", i ? "," : "", v[i]);
    int rc = coda_meta_set(m, key, buf, e);
    free(buf);
    return rc;
}

int coda_meta_get_doubles(const coda_meta *m, const char *key, double **out, size_t *n,
                          coda_err *e)
{
    *out = NULL;
    *n = 0;
    const char *v = coda_meta_get(m, key);
    if (!v)
        return coda_fail(e, "metadata key '%s' missing", key);
    size_t cap = 1;
    for (const char *c = v; *c; c++)
        cap += *c == ',';
    double *x = malloc(cap * sizeof *x);
    if (!x)
        return coda_fail_oom(e);
    const char *c = v;
    for (size_t i = 0; i < cap; i++) {
        char *end;
        errno = 0;
        x[i] = strtod(c, &end);
        if (end == c || (errno == ERANGE && fabs(x[i]) > 1) || (*end != ',' && *end != '\0') ||
            (*end == ',' && i + 1 == cap)) {
            free(x);
            return coda_fail(e, "metadata %s is not a list of numbers (at item %zu)", key, i + 1);
        }
        c = end + 1;
    }
    *out = x;
    *n = cap;
    return 0;
}

const char *coda_escape(char *buf, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, show = len < CODA_ESC_SHOW ? len : CODA_ESC_SHOW;
    for (size_t i = 0; i < show; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f)
            buf[o++] = (char)c;
        else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    if (show < len)
        for (int k = 0; k < 3; k++)
            buf[o++] = '.';
    buf[o] = '\0';
    return buf;
}
