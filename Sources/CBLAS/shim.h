// OpenBLAS's CBLAS interface plus the two OpenBLAS extensions the engine uses:
// setting the thread count explicitly and reporting the kernel ("core") in use.
#include <cblas.h>

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
