#ifndef DPTEXT_COPENBLAS_SHIM_H
#define DPTEXT_COPENBLAS_SHIM_H

#include <cblas.h>

#endif
