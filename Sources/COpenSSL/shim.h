#ifndef DPTEXT_COPENSSL_SHIM_H
#define DPTEXT_COPENSSL_SHIM_H

// OpenSSL's random generator: a CTR-DRBG (AES-256) per thread, seeded and
// reseeded from the kernel.
#include <openssl/rand.h>
#include <openssl/err.h>

#endif
