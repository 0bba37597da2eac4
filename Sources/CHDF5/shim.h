#ifndef DPTEXT_CHDF5_SHIM_H
#define DPTEXT_CHDF5_SHIM_H

#include <hdf5.h>

// HDF5 exposes its predefined types and flags as macros that expand to
// function calls plus globals (`H5OPEN H5T_NATIVE_FLOAT_g`), which Swift
// cannot import. These inline accessors make them callable from Swift.

static inline hid_t dptext_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t dptext_h5s_all(void) { return H5S_ALL; }
static inline hid_t dptext_h5e_default(void) { return H5E_DEFAULT; }
static inline size_t dptext_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t dptext_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t dptext_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t dptext_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t dptext_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t dptext_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t dptext_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline unsigned dptext_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned dptext_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }

/// Frees the strings HDF5 allocated while reading variable-length data.
static inline herr_t dptext_h5_reclaim(hid_t type, hid_t space, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, H5P_DEFAULT, buffer);
#else
    return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
#endif
}

#endif
