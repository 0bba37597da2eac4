#ifndef DPTEXT_COPENBLAS_SHIM_H
#define DPTEXT_COPENBLAS_SHIM_H

#include <cblas.h>

// LAPACK routines OpenBLAS ships (Fortran calling convention: every argument
// by pointer, and the lengths of character arguments appended, which C
// callers pass as 1).
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info, unsigned long jobz_length, unsigned long uplo_length);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, unsigned long uplo_length);

#endif
