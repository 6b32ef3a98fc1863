import BlockingWork
import Core
import Ledger
import LuaHost
import Social
import StorageModel

/// The demo world's money: everyone tops up from a bank card, friends pay each other, viewers tip
/// posts their circle lets them tip, and some users send lucky red packets that friends claim.
/// Every movement goes through the wallet (balanced transfers, idempotency keys) and tips through
/// the circles' tip rules; batches keep seeding fast (one transaction per batch).
enum DemoMoney {
    static let topUpFenRange = 5_000...200_000
    static let transferShareOfFriendships = 0.3
    static let transferFenRange = 500...50_000
    static let tipShareOfViews = 0.02
    static let tipFenRange = 100...5_000
    static let redPacketSenderShare = 0.02
    static let redPacketClaimShare = 0.6

    struct Summary {
        var topUps = 0
        var transfers = 0
        var tips = 0
        var redPackets = 0
        var claims = 0
        var refused = 0
    }

    static func seed(_ service: QuanziService, users: [UserProfile], friendPairs: [(UserID, UserID)],
                     views: [(post: Post, viewer: UserProfile, at: Int64)], random seeded: inout SeededGenerator) async throws -> Summary {
        // Rules and bulk writes run on a thread that may block (the stores are synchronous) and
        // draw from the generator there: a local copy, handed back at the end.
        var random = seeded
        defer { seeded = random }
        var summary = Summary()
        let wallet = service.wallet
        try await wallet.openAccounts(for: users.map(\.id))
        func count(_ results: [Result<TransferResult, any Error>]) -> Int {
            results.reduce(0) { total, result in
                if case .success(.committed) = result { return total + 1 }
                return total
            }
        }
        let topUps = users.map { TransferRequest.topUp($0.id, amountFen: Int64(random.int(in: topUpFenRange)), idempotencyKey: "seed-topup-\($0.id)") }
        summary.topUps = count(await wallet.transferBatch(topUps))

        var transfers: [TransferRequest] = []
        for (index, pair) in friendPairs.enumerated() where random.chance(transferShareOfFriendships) {
            let (payer, payee) = random.chance(0.5) ? (pair.0, pair.1) : (pair.1, pair.0)
            transfers.append(.transfer(from: payer, to: payee, amountFen: Int64(random.int(in: transferFenRange)), idempotencyKey: "seed-transfer-\(index)"))
        }
        // The wallet adds each committed payment's affinity in its batch's transaction.
        let transferResults = await wallet.transferBatch(transfers)
        summary.transfers = count(transferResults)
        summary.refused += transfers.count - summary.transfers
        let tips = try await Blocking.awaited {
            var tips: [(TransferRequest, Post, UserID, Int64)] = []
            for (index, view) in views.enumerated() where random.chance(tipShareOfViews) {
                let amount = Int64(random.int(in: tipFenRange))
                let context = RuleContext(post: PostContext(id: view.post.id, authorID: view.post.authorID, kind: view.post.kind), amountFen: amount)
                guard try service.rules.evaluate(circle: view.post.circleID, action: .tip, user: view.viewer, context: context).allowed else {
                    summary.refused += 1
                    continue
                }
                tips.append((.tip(from: view.viewer.id, to: view.post.authorID, postID: view.post.id, circleID: view.post.circleID, amountFen: amount,
                                  idempotencyKey: "seed-tip-\(index)"), view.post, view.viewer.id, amount))
            }
            return tips
        }
        // Rules checked above: the wallet commits them, with their feed counts and affinity.
        summary.tips = count(await wallet.submitBatch(tips.map(\.0)))

        var friendsOf: [UserID: [UserID]] = [:]
        for pair in friendPairs {
            friendsOf[pair.0, default: []].append(pair.1)
            friendsOf[pair.1, default: []].append(pair.0)
        }
        for sender in users where random.chance(redPacketSenderShare) {
            let friends = friendsOf[sender.id] ?? []
            guard !friends.isEmpty else { continue }
            let shares = min(friends.count, random.int(in: 2...8))
            let request = RedPacketRequest(sender: sender.id, split: .lucky, totalFen: Int64(random.int(in: 1_000...20_000)), shareCount: shares,
                                           audience: .friends, idempotencyKey: "seed-redpacket-\(sender.id)", seed: random.next())
            guard case .committed(let receipt) = try await wallet.createRedPacket(request) else {
                summary.refused += 1
                continue
            }
            summary.redPackets += 1
            for friend in friends.sorted() where random.chance(redPacketClaimShare) {
                if case .committed = try await wallet.claimRedPacket(receipt.id, by: friend) { summary.claims += 1 }
            }
        }
        return summary
    }
}
