/// Damped personalised propagation of trust from established accounts (TrustRank, Gyöngyi et al.
/// 2004; EigenTrust, Kamvar et al. 2003, with pre-trusted peers).
///
/// Each account starts with `(1 − damping) × establishment` and passes `damping` of everything it
/// holds to the accounts it links to, split by link weight:
///
///     trust = (1 − damping) · seeds + damping · Sharesᵀ · trust
///
/// What an account *receives* — its trust minus its own seed — is the connections signal. Trust
/// only ever starts at established accounts, so a group with no established account in it and no
/// links in from one receives exactly nothing, however densely its members link to each other.
/// Links in from established accounts (attack edges) are bounded too: a source splits its trust
/// among everyone it links to, and inside a ring that trust is amplified at most
/// `1 / (1 − damping)` times before it decays.
enum TrustPropagation {
    /// The share of its trust an account passes on. Chosen lower than PageRank's 0.85: at ½ a
    /// link farm can amplify the trust it captures at most twofold, and trust halves with each hop,
    /// keeping "the people one deals with" local (Sesame's 人脉关系) rather than graph-wide.
    static let damping = 0.5
    /// Power-iteration steps. The error after k steps is at most damping^k of the largest trust,
    /// so 30 steps leave < 1e-9: far below one point. A fixed count keeps the cost and the result
    /// independent of convergence checks.
    static let iterations = 30

    /// Trust each node receives from the others, in units of "one fully established account's seed".
    static func receivedTrust(graph: TrustGraph, establishment seeds: [Double]) -> [Double] {
        precondition(seeds.count == graph.nodeCount)
        let seedTrust = seeds.map { (1 - damping) * $0 }
        var trust = seedTrust
        var received = [Double](repeating: 0, count: graph.nodeCount)
        for _ in 0..<iterations {
            pull(graph, from: trust, into: &received)
            for node in 0..<graph.nodeCount { trust[node] = seedTrust[node] + received[node] }
        }
        pull(graph, from: trust, into: &received)
        return received
    }

    /// `received[v] = damping · Σ share(u→v) · trust[u]`, summed in ascending `u`.
    private static func pull(_ graph: TrustGraph, from trust: [Double], into received: inout [Double]) {
        graph.arcSource.withUnsafeBufferPointer { sources in
            graph.arcShare.withUnsafeBufferPointer { shares in
                trust.withUnsafeBufferPointer { trust in
                    for node in 0..<graph.nodeCount {
                        var sum = 0.0
                        for arc in graph.arcStart[node]..<graph.arcStart[node + 1] {
                            sum += shares[arc] * trust[Int(sources[arc])]
                        }
                        received[node] = damping * sum
                    }
                }
            }
        }
    }
}
