/* Matrix Market (coda_mtx_read), round-tripped through the .mtx writer. */
#include "../../lib/io/textfmt.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const coda_format fmts[] = {CODA_FMT_MTX};
    return fuzz_reader(data, size, coda_mtx_read, fmts, 1);
}
