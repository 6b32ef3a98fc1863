import Core

/// The trust graph in compressed sparse form, indexed by node (users sorted by id).
///
/// Stored by *incoming* arc, so one propagation step is a pull per node in a fixed order: sums
/// happen in the same order whatever order Storage read the edges in, and results are
/// bit-for-bit reproducible.
struct TrustGraph {
    let nodeCount: Int
    /// Node `v`'s incoming arcs are `arcSource[arcStart[v] ..< arcStart[v + 1]]`, ascending.
    let arcStart: [Int]
    let arcSource: [Int32]
    /// The share of the source's outgoing trust that goes along the arc (a source's shares sum to 1).
    let arcShare: [Double]

    /// Builds the graph from edges already in canonical order (`CreditEdge.canonicallyOrdered`).
    /// Edges that name users outside `nodeIndex`, and self-links, are ignored.
    init(nodeIndex: [UserID: Int], canonicalEdges: [CreditEdge]) {
        nodeCount = nodeIndex.count
        var arcs: [(target: Int32, source: Int32, weight: Double)] = []
        arcs.reserveCapacity(canonicalEdges.count * 2)
        var friendships = Set<Int64>()
        for edge in canonicalEdges {
            guard let source = nodeIndex[edge.sourceUserID], let target = nodeIndex[edge.targetUserID], source != target else {
                continue
            }
            switch edge.kind {
            case .friendship:
                let (low, high) = (min(source, target), max(source, target))
                guard friendships.insert(Int64(low) << 32 | Int64(high)).inserted else { continue }
                arcs.append((Int32(low), Int32(high), EdgeWeight.friendshipWeight))
                arcs.append((Int32(high), Int32(low), EdgeWeight.friendshipWeight))
            case .payments:
                guard edge.paymentCount > 0 else { continue }
                let weight = EdgeWeight.payments(volumeFen: edge.paymentVolume.rawValue, lastPaymentDaysAgo: edge.lastPaymentDaysAgo)
                if weight > 0 { arcs.append((Int32(target), Int32(source), weight)) }
            }
        }
        arcs.sort { ($0.target, $0.source, $0.weight) < ($1.target, $1.source, $1.weight) }

        var start = [Int](repeating: 0, count: nodeCount + 1)
        var sources: [Int32] = []
        var weights: [Double] = []
        sources.reserveCapacity(arcs.count)
        weights.reserveCapacity(arcs.count)
        for arc in arcs {
            // Parallel arcs (friends who also pay each other) merge into one.
            if let last = sources.last, last == arc.source, start[Int(arc.target) + 1] > 0 {
                weights[weights.count - 1] += arc.weight
            } else {
                sources.append(arc.source)
                weights.append(arc.weight)
                start[Int(arc.target) + 1] += 1
            }
        }
        for node in 0..<nodeCount { start[node + 1] += start[node] }

        var outgoingWeight = [Double](repeating: 0, count: nodeCount)
        for (source, weight) in zip(sources, weights) { outgoingWeight[Int(source)] += weight }
        arcStart = start
        arcSource = sources
        arcShare = zip(sources, weights).map { $1 / outgoingWeight[Int($0)] }
    }

    /// The nodes that send trust to `node`.
    func sources(of node: Int) -> ArraySlice<Int32> {
        arcSource[arcStart[node]..<arcStart[node + 1]]
    }
}
