/*
 * CHNSW: a small C interface to hnswlib's HierarchicalNSW<float> with the
 * squared-L2 space, for use from Swift.
 *
 * Every function catches every C++ exception; nothing is thrown across this
 * boundary. Functions that can fail return NULL or a non-zero status and, when
 * `error` is not NULL, write a NUL-terminated message into it (truncated to
 * `error_capacity` bytes).
 *
 * Thread safety (hnswlib's rules): chnsw_search may run concurrently with
 * other chnsw_search calls and with chnsw_save / chnsw_verify / the getters;
 * chnsw_add and chnsw_set_ef must not run concurrently with anything else on
 * the same index.
 */
#ifndef CHNSW_H
#define CHNSW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An index of float vectors; labels are the row numbers 0..<count. */
typedef struct chnsw_index chnsw_index;

/* A new, empty index for up to `capacity` vectors of `dimension` floats.
 * `m` is the number of links per node (2·m on the bottom layer),
 * `ef_construction` the beam width while inserting, `random_seed` seeds the
 * level generator. NULL on failure. */
chnsw_index *chnsw_create(size_t dimension, size_t capacity, size_t m, size_t ef_construction,
                          uint64_t random_seed, char *error, size_t error_capacity);

/* Inserts `count` row-major vectors with labels first_label, first_label + 1, …
 * With threads ≤ 1 the rows are inserted in order, and the graph depends only
 * on the vectors, their order and the parameters. With more threads, rows are
 * inserted concurrently (the first point of an empty index alone, first) and
 * the graph depends on scheduling. 0 on success. */
int chnsw_add(chnsw_index *index, const float *vectors, size_t count, size_t first_label,
              size_t threads, char *error, size_t error_capacity);

/* Sets the search beam width; every search uses max(ef, k). */
void chnsw_set_ef(chnsw_index *index, size_t ef);

size_t chnsw_count(const chnsw_index *index);
size_t chnsw_dimension(const chnsw_index *index);
size_t chnsw_m(const chnsw_index *index);
size_t chnsw_ef_construction(const chnsw_index *index);

/* For each of `query_count` row-major queries, the (up to) k nearest labels
 * found, nearest first, with their squared L2 distances in float. Row q of the
 * outputs is labels[q·k ..< q·k + k], distances likewise; found[q] tells how
 * many entries of the row are filled (the rest hold -1 and +inf). Runs on the
 * calling thread. 0 on success. */
int chnsw_search(const chnsw_index *index, const float *queries, size_t query_count, size_t k,
                 int64_t *labels, float *distances, size_t *found, char *error, size_t error_capacity);

/* Writes the index to `path` (hnswlib's format) and checks that the whole file
 * was written. 0 on success. */
int chnsw_save(const chnsw_index *index, const char *path, char *error, size_t error_capacity);

/* Status codes of chnsw_load and chnsw_verify. */
#define CHNSW_OK 0
#define CHNSW_FAILED 1
#define CHNSW_MISMATCH 2

/* Reads an index written by chnsw_save into *out, after checking that its
 * header describes `expected_count` vectors of `expected_dimension` floats
 * and that the file is complete and consistent. CHNSW_OK on success;
 * CHNSW_MISMATCH when the file is a valid index of another size or
 * dimension; CHNSW_FAILED when it cannot be read or is not a valid index.
 * *out is NULL unless CHNSW_OK. */
int chnsw_load(const char *path, size_t expected_dimension, size_t expected_count,
               chnsw_index **out, char *error, size_t error_capacity);

/* Checks that the index holds exactly `count` vectors, labelled 0..<count,
 * and that the vector with label i is bit-for-bit row i of `vectors`.
 * CHNSW_OK when it does; CHNSW_MISMATCH, with a message naming the first
 * difference, when not; CHNSW_FAILED on an internal error. */
int chnsw_verify(const chnsw_index *index, const float *vectors, size_t count,
                 char *error, size_t error_capacity);

/* Frees the index; NULL is allowed. */
void chnsw_free(chnsw_index *index);

#ifdef __cplusplus
}
#endif

#endif /* CHNSW_H */
