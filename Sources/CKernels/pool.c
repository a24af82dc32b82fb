// Pooling kernels for float and double: pool_impl.h instantiated twice.
#include "CKernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define T float
#define SUF f32
#include "pool_impl.h"
#undef T
#undef SUF

#define T double
#define SUF f64
#include "pool_impl.h"
#undef T
#undef SUF
