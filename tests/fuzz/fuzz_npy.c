/* NumPy .npy (coda_npy_read), round-tripped through the .npy writer. */
#include "../../lib/io/textfmt.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const coda_format fmts[] = {CODA_FMT_NPY};
    return fuzz_reader(data, size, coda_npy_read, fmts, 1);
}
