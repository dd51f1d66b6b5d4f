/* CSV/TSV (coda_csv_read), round-tripped through the CSV and TSV writers. */
#include "../../lib/io/textfmt.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const coda_format fmts[] = {CODA_FMT_CSV, CODA_FMT_TSV};
    return fuzz_reader(data, size, coda_csv_read, fmts, 2);
}
