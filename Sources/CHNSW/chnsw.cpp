// C interface to hnswlib (Debian `libhnswlib-dev`, header-only, 0.6.2) for
// HNSWNeighborIndex. See include/chnsw.h for the contract of each function.
//
// hnswlib reports errors by throwing; every entry point below catches
// everything, so no exception crosses the C boundary.
//
// hnswlib.h defines a few non-inline helper functions (CPU feature checks),
// so it must be included by this one translation unit only.

#include "chnsw.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct chnsw_index {
    // Declared before `graph`, so it is destroyed after it: the graph keeps a
    // pointer to the space's dimension.
    std::unique_ptr<hnswlib::L2Space> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
    size_t dimension = 0;
};

namespace {

using Graph = hnswlib::HierarchicalNSW<float>;

void report(char *error, size_t capacity, const std::string &message) {
    if (error == nullptr || capacity == 0) return;
    size_t length = std::min(message.size(), capacity - 1);
    std::memcpy(error, message.data(), length);
    error[length] = '\0';
}

std::string describe(std::exception_ptr failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const std::bad_alloc &) {
        return "out of memory";
    } catch (const std::exception &exception) {
        return exception.what();
    } catch (...) {
        return "unknown C++ exception";
    }
}

// The fields hnswlib's saveIndex writes first, in its order.
struct Header {
    size_t offsetLevel0, maxElements, elementCount, sizeDataPerElement, labelOffset, offsetData;
    int maxLevel;
    hnswlib::tableint entryPoint;
    size_t maxM, maxM0, m;
    double mult;
    size_t efConstruction;
};

constexpr size_t headerSize = 6 * sizeof(size_t) + sizeof(int) + sizeof(hnswlib::tableint)
    + 3 * sizeof(size_t) + sizeof(double) + sizeof(size_t);

template <typename T> bool read(std::istream &input, T &value) {
    input.read(reinterpret_cast<char *>(&value), sizeof(T));
    return bool(input);
}

bool readHeader(std::istream &input, Header &h) {
    return read(input, h.offsetLevel0) && read(input, h.maxElements) && read(input, h.elementCount)
        && read(input, h.sizeDataPerElement) && read(input, h.labelOffset) && read(input, h.offsetData)
        && read(input, h.maxLevel) && read(input, h.entryPoint) && read(input, h.maxM)
        && read(input, h.maxM0) && read(input, h.m) && read(input, h.mult) && read(input, h.efConstruction);
}

// The size saveIndex produces for `graph`.
size_t savedSize(const Graph &graph) {
    size_t size = headerSize + graph.cur_element_count * graph.size_data_per_element_;
    for (size_t i = 0; i < graph.cur_element_count; i++) {
        size += sizeof(unsigned int);
        if (graph.element_levels_[i] > 0) size += graph.size_links_per_element_ * graph.element_levels_[i];
    }
    return size;
}

// Empty when every link of a loaded graph points to an existing element, no
// list is longer than its layer allows, nothing is marked deleted and the
// entry point reaches the top level; otherwise what is wrong.
std::string checkLinks(const Graph &graph) {
    size_t count = graph.cur_element_count;
    if (count == 0) return "";
    if (graph.enterpoint_node_ >= count || graph.maxlevel_ < 0
        || graph.element_levels_[graph.enterpoint_node_] != graph.maxlevel_)
        return "inconsistent entry point";
    for (size_t i = 0; i < count; i++) {
        auto id = static_cast<hnswlib::tableint>(i);
        if (graph.isMarkedDeleted(id)) return "element " + std::to_string(i) + " is marked deleted";
        for (int level = 0; level <= graph.element_levels_[i]; level++) {
            hnswlib::linklistsizeint *list = level == 0 ? graph.get_linklist0(id) : graph.get_linklist(id, level);
            size_t size = graph.getListCount(list);
            if (size > (level == 0 ? graph.maxM0_ : graph.maxM_))
                return "element " + std::to_string(i) + " has too many links";
            auto *links = reinterpret_cast<hnswlib::tableint *>(list + 1);
            for (size_t j = 0; j < size; j++) {
                if (links[j] >= count) return "element " + std::to_string(i) + " links to a missing element";
            }
        }
    }
    return "";
}

}  // namespace

extern "C" {

chnsw_index *chnsw_create(size_t dimension, size_t capacity, size_t m, size_t ef_construction,
                          uint64_t random_seed, char *error, size_t error_capacity) {
    try {
        if (dimension == 0 || capacity == 0 || m < 2 || m > 10000 || ef_construction == 0) {
            report(error, error_capacity, "invalid parameters");
            return nullptr;
        }
        if (capacity > std::numeric_limits<hnswlib::tableint>::max()) {
            report(error, error_capacity, "more elements than hnswlib's 32-bit internal ids can hold");
            return nullptr;
        }
        auto index = std::make_unique<chnsw_index>();
        index->dimension = dimension;
        index->space = std::make_unique<hnswlib::L2Space>(dimension);
        index->graph = std::make_unique<Graph>(index->space.get(), capacity, m, ef_construction,
                                               static_cast<size_t>(random_seed));
        return index.release();
    } catch (...) {
        report(error, error_capacity, describe(std::current_exception()));
        return nullptr;
    }
}

int chnsw_add(chnsw_index *index, const float *vectors, size_t count, size_t first_label,
              size_t threads, char *error, size_t error_capacity) {
    try {
        Graph &graph = *index->graph;
        const size_t dimension = index->dimension;
        size_t start = 0;
        // hnswlib's concurrent insertion is safe except for the first point of
        // an empty graph, which sets the entry point: insert it alone.
        if (threads > 1 && count > 0 && graph.cur_element_count == 0) {
            graph.addPoint(vectors, first_label);
            start = 1;
        }
        if (threads <= 1) {
            for (size_t i = start; i < count; i++) graph.addPoint(vectors + i * dimension, first_label + i);
            return 0;
        }

        std::atomic<size_t> next(start);
        std::atomic<bool> failed(false);
        std::mutex failureLock;
        std::exception_ptr failure;
        auto work = [&]() noexcept {
            try {
                while (!failed.load()) {
                    size_t i = next.fetch_add(1);
                    if (i >= count) break;
                    graph.addPoint(vectors + i * dimension, first_label + i);
                }
            } catch (...) {
                std::lock_guard<std::mutex> lock(failureLock);
                if (!failure) failure = std::current_exception();
                failed.store(true);
            }
        };
        std::vector<std::thread> pool;
        try {
            for (size_t t = 1; t < threads; t++) pool.emplace_back(work);
        } catch (...) {
            // Could not start a thread: the ones running finish the work.
        }
        work();
        for (auto &thread : pool) thread.join();
        if (failure) {
            report(error, error_capacity, describe(failure));
            return 1;
        }
        return 0;
    } catch (...) {
        report(error, error_capacity, describe(std::current_exception()));
        return 1;
    }
}

void chnsw_set_ef(chnsw_index *index, size_t ef) { index->graph->setEf(ef); }

size_t chnsw_count(const chnsw_index *index) { return index->graph->cur_element_count; }
size_t chnsw_dimension(const chnsw_index *index) { return index->dimension; }
size_t chnsw_m(const chnsw_index *index) { return index->graph->M_; }
size_t chnsw_ef_construction(const chnsw_index *index) { return index->graph->ef_construction_; }

int chnsw_search(const chnsw_index *index, const float *queries, size_t query_count, size_t k,
                 int64_t *labels, float *distances, size_t *found, char *error, size_t error_capacity) {
    try {
        const Graph &graph = *index->graph;
        for (size_t q = 0; q < query_count; q++) {
            int64_t *rowLabels = labels + q * k;
            float *rowDistances = distances + q * k;
            std::fill(rowLabels, rowLabels + k, int64_t(-1));
            std::fill(rowDistances, rowDistances + k, std::numeric_limits<float>::infinity());
            found[q] = 0;
            if (k == 0) continue;
            auto result = graph.searchKnn(queries + q * index->dimension, k);
            // A max-heap: the farthest comes out first.
            size_t size = result.size();
            found[q] = size;
            for (size_t slot = size; slot > 0; slot--) {
                rowLabels[slot - 1] = static_cast<int64_t>(result.top().second);
                rowDistances[slot - 1] = result.top().first;
                result.pop();
            }
        }
        return 0;
    } catch (...) {
        report(error, error_capacity, describe(std::current_exception()));
        return 1;
    }
}

int chnsw_save(const chnsw_index *index, const char *path, char *error, size_t error_capacity) {
    std::string temporary;
    try {
        Graph &graph = *index->graph;
        // hnswlib writes through an unchecked ofstream; write beside the target
        // and rename, so a failed write never leaves a half-written index there.
        temporary = std::string(path) + ".partial";
        {
            std::ofstream probe(temporary, std::ios::binary | std::ios::trunc);
            if (!probe.is_open()) {
                report(error, error_capacity, "cannot create " + temporary);
                return 1;
            }
        }
        graph.saveIndex(temporary);  // only reads the graph
        std::ifstream written(temporary, std::ios::binary | std::ios::ate);
        auto size = written.is_open() ? static_cast<long long>(written.tellg()) : -1;
        if (size < 0 || static_cast<size_t>(size) != savedSize(graph)) {
            std::remove(temporary.c_str());
            report(error, error_capacity, "incomplete write (disk full?)");
            return 1;
        }
        if (std::rename(temporary.c_str(), path) != 0) {
            std::string reason = std::strerror(errno);
            std::remove(temporary.c_str());
            report(error, error_capacity, "cannot rename " + temporary + ": " + reason);
            return 1;
        }
        return 0;
    } catch (...) {
        if (!temporary.empty()) std::remove(temporary.c_str());
        report(error, error_capacity, describe(std::current_exception()));
        return 1;
    }
}

int chnsw_load(const char *path, size_t expected_dimension, size_t expected_count,
               chnsw_index **out, char *error, size_t error_capacity) {
    *out = nullptr;
    try {
        // Check the header before hnswlib trusts it (it sizes allocations from it).
        {
            std::ifstream input(path, std::ios::binary | std::ios::ate);
            if (!input.is_open()) {
                report(error, error_capacity, std::string("cannot open: ") + std::strerror(errno));
                return CHNSW_FAILED;
            }
            auto fileSize = static_cast<long long>(input.tellg());
            input.seekg(0);
            Header h{};
            if (fileSize < static_cast<long long>(headerSize) || !readHeader(input, h)) {
                report(error, error_capacity, "too short to be an HNSW index");
                return CHNSW_FAILED;
            }
            const size_t linkBytes = h.maxM0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
            if (h.offsetLevel0 != 0 || h.m < 2 || h.m > 10000 || h.maxM != h.m || h.maxM0 != 2 * h.m
                || h.offsetData != linkBytes || h.labelOffset < h.offsetData
                || (h.labelOffset - h.offsetData) % sizeof(float) != 0
                || h.sizeDataPerElement != h.labelOffset + sizeof(hnswlib::labeltype)) {
                report(error, error_capacity, "not an HNSW index of float vectors (unexpected header)");
                return CHNSW_FAILED;
            }
            size_t dimension = (h.labelOffset - h.offsetData) / sizeof(float);
            if (h.elementCount != expected_count || dimension != expected_dimension) {
                report(error, error_capacity,
                       "the index holds " + std::to_string(h.elementCount) + " vectors of dimension "
                           + std::to_string(dimension) + ", the store " + std::to_string(expected_count)
                           + " of dimension " + std::to_string(expected_dimension));
                return CHNSW_MISMATCH;
            }
            if (h.elementCount > 0
                && static_cast<size_t>(fileSize) - headerSize < h.elementCount * h.sizeDataPerElement) {
                report(error, error_capacity, "the file is truncated");
                return CHNSW_FAILED;
            }
        }
        auto index = std::make_unique<chnsw_index>();
        index->dimension = expected_dimension;
        index->space = std::make_unique<hnswlib::L2Space>(expected_dimension);
        index->graph = std::make_unique<Graph>(index->space.get(), std::string(path), false, expected_count);
        Graph &graph = *index->graph;
        // The loading constructor leaves this counter uninitialised in 0.6.2;
        // checkLinks rejects deleted elements, so it is 0.
        graph.num_deleted_ = 0;
        graph.metric_distance_computations = 0;
        graph.metric_hops = 0;
        std::string problem = checkLinks(graph);
        if (!problem.empty()) {
            report(error, error_capacity, "corrupt HNSW index: " + problem);
            return CHNSW_FAILED;
        }
        *out = index.release();
        return CHNSW_OK;
    } catch (...) {
        report(error, error_capacity, describe(std::current_exception()));
        return CHNSW_FAILED;
    }
}

int chnsw_verify(const chnsw_index *index, const float *vectors, size_t count,
                 char *error, size_t error_capacity) {
    try {
        const Graph &graph = *index->graph;
        if (graph.cur_element_count != count) {
            report(error, error_capacity, "the index holds " + std::to_string(graph.cur_element_count)
                                              + " vectors, expected " + std::to_string(count));
            return CHNSW_MISMATCH;
        }
        const size_t bytes = index->dimension * sizeof(float);
        std::vector<bool> seen(count, false);
        for (size_t i = 0; i < count; i++) {
            auto id = static_cast<hnswlib::tableint>(i);
            hnswlib::labeltype label = graph.getExternalLabel(id);
            if (label >= count || seen[label]) {
                report(error, error_capacity, "invalid or repeated label " + std::to_string(label));
                return CHNSW_MISMATCH;
            }
            seen[label] = true;
            if (std::memcmp(graph.getDataByInternalId(id), vectors + label * index->dimension, bytes) != 0) {
                report(error, error_capacity, "the vector of word " + std::to_string(label) + " differs");
                return CHNSW_MISMATCH;
            }
        }
        return CHNSW_OK;
    } catch (...) {
        report(error, error_capacity, describe(std::current_exception()));
        return CHNSW_FAILED;
    }
}

void chnsw_free(chnsw_index *index) { delete index; }

}  // extern "C"
