/// The ranges of the screen's codes: words −L_w…L_w (signed bytes), queries
/// −L_q…L_q read as unsigned bytes q + L_q + 1. Coarser codes loosen the
/// bound (more words are scored exactly) but let the AVX2 kernel add n
/// groups' `vpmaddubsw` pair sums in 16 bits before one widening step,
/// which needs n·2·(2L_q + 1)·L_w < 2¹⁵.
///
/// Up to 64 codes (50d stores): L_w = 63, L_q = 31, n = 4 — on GloVe 6B 50d
/// at ε = 10 the bound then passes about 33 of 400,000 words per noisy point
/// (9 with 127 and 63 levels), which cost far less than the multiplies saved.
/// Wider rows (300d): L_w = 127, L_q = 63, n = 1 — there an exact distance
/// costs about as much as screening a hundred words, and coarser codes pass
/// more (on GloVe 840B 300d at ε = 12 about 6 words per noisy point with
/// these levels, 15 with L_q = 31, 38 with 63 and 31), which spends what
/// fewer widening steps save: 127 and 31 (n = 2) measured within 5 % of
/// these in CPU time, 63 and 31 (n = 4) no faster. AVX2 needs at least two
/// `vpmaddubsw` per group of four codes, word and sixteen queries, on
/// two ports: n = 1 adds two `vpmaddwd`, so no level set can make the
/// kernel more than about 1.6 times faster.
struct CodeLevels: Sendable, Equatable {
    let word: Int
    let query: Int

    init(word: Int, query: Int) {
        precondition((1...127).contains(word) && (1...127).contains(query), "code levels are 1…127")
        (self.word, self.query) = (word, query)
    }

    init(width: Int) {
        if width <= 64 {
            self.init(word: 63, query: 31)
        } else {
            self.init(word: 127, query: 63)
        }
    }

    var queryOffset: Int { query + 1 }

    /// n: 4, 2 or 1 groups per 16-bit sum, 0 when even one pair could saturate.
    var groupsPerSum: Int {
        let pair = 2 * (2 * query + 1) * word
        return [4, 2, 1].first { $0 * pair <= 32_767 } ?? 0
    }
}
