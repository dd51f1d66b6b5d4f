#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_temp(coda_outfile *o, const char *path, coda_err *e);

/* The temporary files being written, for coda_outfile_remove_temps (called from a signal
 * handler: only unlink on a fixed array). A program has one or two outputs; more than the
 * array holds go untracked. */
static char *volatile live[8];

static void track(char *tmp, int on)
{
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        if (live[i] == (on ? NULL : tmp)) {
            live[i] = on ? tmp : NULL;
            return;
        }
}

void coda_outfile_remove_temps(void)
{
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++)
        if (live[i])
            unlink(live[i]);
}

int coda_outfile_open(coda_outfile *o, const char *path, FILE *std, coda_err *e)
{
    memset(o, 0, sizeof *o);
    if (!path || strcmp(path, "-") == 0) {
        o->f = std;
        return 0;
    }
    /* a device, FIFO or socket (/dev/null, /dev/stdout, a named pipe) is written in place:
     * renaming a file over it would replace the device itself */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode))
            return coda_failc(e, CODA_E_IO, "%s: cannot write: Is a directory", path);
        if (!(o->f = fopen(path, "wb")))
            return coda_failc(e, CODA_E_IO, "%s: cannot write: %s", path, strerror(errno));
        if (!(o->path = strdup(path))) {
            coda_outfile_abort(o);
            return coda_fail_oom(e);
        }
        return 0;
    }
    /* a symbolic link keeps pointing at the file it names: the target is what gets replaced */
    char *target = lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? realpath(path, NULL) : NULL;
    if (target)
        path = target;
    int rc = open_temp(o, path, e);
    free(target);
    return rc;
}

/* The temporary file is a hidden sibling, so that rename() stays within one file system. */
static int open_temp(coda_outfile *o, const char *path, coda_err *e)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + 16;
    o->path = strdup(path);
    o->tmp = malloc(n);
    if (!o->path || !o->tmp) {
        coda_outfile_abort(o);
        return coda_fail_oom(e);
    }
    snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
    int fd = mkstemp(o->tmp);
    if (fd >= 0)
        track(o->tmp, 1);
    if (fd < 0) {
        int err = errno;
        free(o->tmp);
        o->tmp = NULL;
        coda_outfile_abort(o);
        return coda_failc(e, CODA_E_IO, "%s: cannot write: %s", path, strerror(err));
    }
    /* mkstemp makes the file 0600; give it the mode a plain fopen would have */
    mode_t mask = umask(0);
    umask(mask);
    struct stat st;
    fchmod(fd, stat(path, &st) == 0 ? (st.st_mode & 07777) : (0666 & ~mask));
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int err = errno;
        close(fd);
        coda_outfile_abort(o);
        return coda_failc(e, CODA_E_IO, "%s: cannot write: %s", path, strerror(err));
    }
    return 0;
}

int coda_outfile_seekable(const coda_outfile *o)
{
    struct stat st;
    int fd = o->f ? fileno(o->f) : -1, fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    /* O_APPEND (>> file) would put a write after a seek at the end instead */
    return fl >= 0 && !(fl & O_APPEND) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
           lseek(fd, 0, SEEK_CUR) >= 0;
}

const char *coda_outfile_name(const coda_outfile *o)
{
    if (o->path)
        return o->path;
    return o->f == stderr ? "stderr" : "stdout";
}

int coda_outfile_commit(coda_outfile *o, coda_err *e)
{
    if (!o->f)
        return 0;
    int rc = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        rc = coda_failc(e, CODA_E_IO, "%s: write error: %s", coda_outfile_name(o),
                        strerror(errno));
    if (!o->path) { /* a standard stream stays open */
        o->f = NULL;
        return rc;
    }
    if (fclose(o->f) != 0 && rc == 0)
        rc = coda_failc(e, CODA_E_IO, "%s: write error: %s", o->path, strerror(errno));
    o->f = NULL;
    if (rc == 0 && o->tmp && rename(o->tmp, o->path) != 0)
        rc = coda_failc(e, CODA_E_IO, "%s: cannot replace: %s", o->path, strerror(errno));
    if (rc < 0) {
        coda_outfile_abort(o);
        return rc;
    }
    if (o->tmp)
        track(o->tmp, 0);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    return 0;
}

void coda_outfile_abort(coda_outfile *o)
{
    if (o->f && o->path)
        fclose(o->f);
    else if (o->f)
        fflush(o->f);
    if (o->tmp) {
        track(o->tmp, 0);
        unlink(o->tmp);
    }
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}
