import Core

/// How established the people a user pays and is paid by are, from 0 to 1: the payment-weighted
/// mean of their counterparties' `Establishment`.
///
/// History and payment behaviour count wallet activity only this far. Anyone can generate
/// activity with accomplices — twenty new accounts can tip each other a thousand times — so what
/// a payment proves depends on who was on the other side.
enum CounterpartyCredibility {
    /// Credibility per node. Payment edges only; a user with no payment edges has 0.
    static func perNode(nodeIndex: [UserID: Int], canonicalEdges: [CreditEdge], establishment: [Double]) -> [Double] {
        var credibleCount = [Double](repeating: 0, count: establishment.count)
        var totalCount = [Double](repeating: 0, count: establishment.count)
        for edge in canonicalEdges where edge.kind == .payments && edge.paymentCount > 0 {
            guard let payer = nodeIndex[edge.sourceUserID], let payee = nodeIndex[edge.targetUserID], payer != payee else {
                continue
            }
            let count = Double(edge.paymentCount)
            credibleCount[payer] += count * establishment[payee]
            totalCount[payer] += count
            credibleCount[payee] += count * establishment[payer]
            totalCount[payee] += count
        }
        return zip(credibleCount, totalCount).map { credible, total in total > 0 ? credible / total : 0 }
    }
}
