/// Keeps the `k` best approximate scores of one query, plus every score
/// close enough to them that the exact ranking might still prefer it.
///
/// Scores are approximations of `‖x‖² − 2⟨q, x⟩` (the squared distance less
/// the constant `‖q‖²`) that are off by at most `margin / 2`. If `A_k` is
/// the k-th smallest approximate score, the k truly nearest words all score
/// at most `A_k + margin`: each of the k words scoring ≤ `A_k` is truly
/// within `A_k + margin/2`, so the true k-th distance is too, and a word
/// truly that near scores at most `A_k + margin`. `finish` re-ranks exactly
/// that set with exact double-precision distances.
struct CandidateSelector {
    let k: Int
    let margin: Float
    /// Max-heap of the `k` smallest scores seen so far.
    private var heap: [(score: Float, id: Int)] = []
    private var candidates: [(score: Float, id: Int)] = []
    /// Scores above this cannot matter; `+∞` until `k` scores were seen.
    private(set) var bound: Float = .infinity

    init(k: Int, margin: Float) {
        self.k = k
        self.margin = margin
        heap.reserveCapacity(k)
    }

    /// Records a score; cheap to skip when `score > bound`.
    mutating func offer(score: Float, id: Int) {
        if heap.count < k {
            heap.append((score, id))
            siftUp(heap.count - 1)
        } else if score < heap[0].score {
            heap[0] = (score, id)
            siftDown(0)
        }
        candidates.append((score, id))
        if heap.count == k { bound = heap[0].score + margin }
    }

    /// The `k` nearest, ranked by exact squared distance (`exact(id)`), ties by id.
    func finish(exact: (Int) -> Double) -> [Neighbor] {
        candidates
            .filter { $0.score <= bound }
            .map { RankedCandidate(squaredDistance: exact($0.id), id: $0.id) }
            .sorted()
            .prefix(k)
            .map(\.neighbor)
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].score > heap[parent].score else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1, right = left + 1
            var largest = parent
            if left < heap.count, heap[left].score > heap[largest].score { largest = left }
            if right < heap.count, heap[right].score > heap[largest].score { largest = right }
            guard largest != parent else { return }
            heap.swapAt(parent, largest)
            parent = largest
        }
    }
}
