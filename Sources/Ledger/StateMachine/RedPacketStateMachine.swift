import Core

/// A red packet as stored: what was created, and whether it still holds escrow.
public struct RedPacketRecord: Sendable, Hashable {
    public var receipt: RedPacketReceipt
    /// When the packet stopped holding escrow (its last claim, or its refund).
    public var settledAt: Int64?
    public var refundTransferID: Int64?

    public init(receipt: RedPacketReceipt, settledAt: Int64?, refundTransferID: Int64?) {
        self.receipt = receipt
        self.settledAt = settledAt
        self.refundTransferID = refundTransferID
    }
}

/// Either an answer decided without writing anything, or a plan to write.
public enum LedgerDecision<Answer: Sendable & Hashable, Plan: Sendable & Hashable>: Sendable, Hashable {
    case answer(Answer)
    case write(Plan)
}

/// The rules of red packets — create, claim, expire and refund — decided once for every backend,
/// from rows a backend prefetched (see ``LedgerStateMachine`` for the shape).
public enum RedPacketStateMachine {
    // MARK: Create

    /// The rows a red packet's creation is decided from.
    public struct CreateSnapshot: Sendable, Hashable {
        /// `nil` when the account is not open.
        public var senderFen: Int64?
        public var escrowFen: Int64?
        /// What the sender's idempotency key already names, and the packet it funded if any.
        public var earlier: EarlierTransfer?
        public var earlierPacket: RedPacketReceipt?

        public init(senderFen: Int64?, escrowFen: Int64?, earlier: EarlierTransfer?, earlierPacket: RedPacketReceipt?) {
            self.senderFen = senderFen
            self.escrowFen = escrowFen
            self.earlier = earlier
            self.earlierPacket = earlierPacket
        }
    }

    /// A decided creation: the total into escrow, the packet with its drawn shares and audience.
    public struct CreatePlan: Sendable, Hashable {
        public let request: RedPacketRequest
        public let seed: UInt64
        public let fund: LedgerPosting
        public let createdAt: Int64
        public let expiresAt: Int64
        /// Share `i` is `sharesFen[i]`; they sum to the total.
        public let sharesFen: [Int64]
        /// A listed audience, once each, ascending; empty for friends and circles.
        public let listedUsers: [UserID]
        public let deltas: BalanceDeltas

        /// The receipt once the packet is stored as `id`, funded by transfer `fundTransferID`.
        public func receipt(id: RedPacketID, fundTransferID: Int64) -> RedPacketReceipt {
            RedPacketReceipt(
                id: id, sender: request.sender, split: request.split, totalFen: request.totalFen, shareCount: request.shareCount,
                audience: listedUsers.isEmpty ? request.audience : .users(listedUsers), seed: seed, fundTransferID: fundTransferID,
                createdAt: createdAt, expiresAt: expiresAt)
        }

        public func event(id: RedPacketID, fundTransferID: Int64) -> LedgerEvent {
            .redPacketCreated(request, id: id, fundTransferID: fundTransferID, at: createdAt)
        }
    }

    /// Decides a creation in ``LedgerError`` order. `seed` is the request's, or one the caller
    /// drew when it had none.
    public static func create(
        _ request: RedPacketRequest, seed: UInt64, snapshot: CreateSnapshot, limits: LedgerLimits, at now: Int64
    ) -> LedgerDecision<RedPacketResult, CreatePlan> {
        if let error = request.fieldError(limits: limits) { return .answer(.rejected(error)) }
        guard let senderFen = snapshot.senderFen, let escrowFen = snapshot.escrowFen else { return .answer(.rejected(.accountNotFound)) }
        if let earlier = snapshot.earlier {
            guard earlier.fingerprint == request.fingerprint, earlier.receipt.kind == .redPacketCreate,
                let packet = snapshot.earlierPacket, packet.fundTransferID == earlier.receipt.transferID
            else { return .answer(.rejected(.idempotencyKeyReused)) }
            return .answer(.replayed(packet))
        }
        if senderFen < request.totalFen { return .answer(.rejected(.insufficientFunds)) }
        if escrowFen.addingReportingOverflow(request.totalFen).overflow { return .answer(.rejected(.exceedsLimit)) }
        let (expiresAt, overflow) = now.addingReportingOverflow(limits.redPacketLifetimeSeconds)
        if overflow { return .answer(.rejected(.exceedsLimit)) }
        let fund = LedgerPosting(
            kind: .redPacketCreate, debit: .user(request.sender), credit: .redPacketEscrow, amountFen: request.totalFen,
            initiator: request.sender, idempotencyKey: request.idempotencyKey, fingerprint: request.fingerprint)
        let listed: [UserID] = if case .users(let users) = request.audience { Set(users).sorted() } else { [] }
        return .write(
            CreatePlan(
                request: request, seed: seed, fund: fund, createdAt: now, expiresAt: expiresAt,
                sharesFen: RedPacketShares.draw(split: request.split, totalFen: request.totalFen, shareCount: request.shareCount, seed: seed),
                listedUsers: listed, deltas: BalanceDeltas([fund])))
    }

    // MARK: Claim

    /// A share nobody has claimed yet.
    public struct UnclaimedShare: Sendable, Hashable {
        public var index: Int
        public var amountFen: Int64

        public init(index: Int, amountFen: Int64) {
            self.index = index
            self.amountFen = amountFen
        }
    }

    /// The rows a claim is decided from.
    public struct ClaimSnapshot: Sendable, Hashable {
        public var packet: RedPacketRecord?
        public var claimerHasAccount: Bool
        /// The claimer's earlier claim of this packet: a claim is a fact, replayed even after
        /// expiry or a change of audience.
        public var earlierClaim: RedPacketClaim?
        /// Whether a listed audience lists the claimer (false for friends and circles, which the
        /// social graph decides before the transaction).
        public var claimerIsListed: Bool
        /// The lowest unclaimed share.
        public var nextShare: UnclaimedShare?

        public init(
            packet: RedPacketRecord?, claimerHasAccount: Bool, earlierClaim: RedPacketClaim?, claimerIsListed: Bool,
            nextShare: UnclaimedShare?
        ) {
            self.packet = packet
            self.claimerHasAccount = claimerHasAccount
            self.earlierClaim = earlierClaim
            self.claimerIsListed = claimerIsListed
            self.nextShare = nextShare
        }
    }

    /// A decided claim: the share's money from escrow to the claimer.
    public struct ClaimPlan: Sendable, Hashable {
        public let redPacketID: RedPacketID
        public let sender: UserID
        public let claimer: UserID
        public let shareIndex: Int
        public let posting: LedgerPosting
        public let claimedAt: Int64
        /// The last share: the packet stops holding escrow, and the expiry sweep can skip it.
        public let settlesPacket: Bool
        public let deltas: BalanceDeltas

        public func claim(transferID: Int64) -> RedPacketClaim {
            RedPacketClaim(
                redPacketID: redPacketID, claimer: claimer, shareIndex: shareIndex, amountFen: posting.amountFen,
                transferID: transferID, claimedAt: claimedAt)
        }

        public func event(transferID: Int64) -> LedgerEvent { .redPacketClaimed(claim(transferID: transferID), sender: sender) }
    }

    /// The answer decided before audience membership — not found, no account, or a replay — or
    /// `nil` to go on. The door asks it outside the transaction, before it asks the (slow,
    /// asynchronous) social graph about a friends or circle audience; ``claim(_:by:snapshot:at:)``
    /// asks it again inside.
    public static func earlyClaimAnswer(snapshot: ClaimSnapshot) -> ClaimResult? {
        guard snapshot.packet != nil else { return .rejected(.redPacketNotFound) }
        guard snapshot.claimerHasAccount else { return .rejected(.accountNotFound) }
        if let earlier = snapshot.earlierClaim { return .replayed(earlier) }
        return nil
    }

    /// Decides a claim: the early answers, listed membership, expiry, then whether a share is
    /// left. A friends or circle audience must have been checked by the caller.
    public static func claim(_ id: RedPacketID, by claimer: UserID, snapshot: ClaimSnapshot, at now: Int64)
        -> LedgerDecision<ClaimResult, ClaimPlan>
    {
        if let early = earlyClaimAnswer(snapshot: snapshot) { return .answer(early) }
        guard let packet = snapshot.packet else { return .answer(.rejected(.redPacketNotFound)) }
        if case .users = packet.receipt.audience, !snapshot.claimerIsListed { return .answer(.rejected(.notInAudience)) }
        if now >= packet.receipt.expiresAt || packet.refundTransferID != nil { return .answer(.rejected(.redPacketExpired)) }
        guard let share = snapshot.nextShare else { return .answer(.rejected(.redPacketEmpty)) }
        let posting = LedgerPosting(kind: .redPacketClaim, debit: .redPacketEscrow, credit: .user(claimer), amountFen: share.amountFen)
        return .write(
            ClaimPlan(
                redPacketID: id, sender: packet.receipt.sender, claimer: claimer, shareIndex: share.index, posting: posting,
                claimedAt: now, settlesPacket: share.index == packet.receipt.shareCount - 1, deltas: BalanceDeltas([posting])))
    }

    // MARK: Expire

    /// An unsettled packet past its expiry, with what its unclaimed shares add up to.
    public struct ExpiredPacket: Sendable, Hashable {
        public var id: RedPacketID
        public var sender: UserID
        public var remainderFen: Int64

        public init(id: RedPacketID, sender: UserID, remainderFen: Int64) {
            self.id = id
            self.sender = sender
            self.remainderFen = remainderFen
        }
    }

    /// A decided settlement of an expired packet.
    public struct ExpiryPlan: Sendable, Hashable {
        public let redPacketID: RedPacketID
        public let sender: UserID
        /// The remainder back to the sender; `nil` settles without moving money.
        public let refund: LedgerPosting?
        public let settledAt: Int64

        public func refund(transferID: Int64) -> RedPacketRefund? {
            refund.map { RedPacketRefund(redPacketID: redPacketID, sender: sender, amountFen: $0.amountFen, transferID: transferID) }
        }

        /// `redpacket.refunded`, for a plan that refunds.
        public func event(transferID: Int64) -> LedgerEvent? {
            refund(transferID: transferID).map { .redPacketRefunded($0, at: settledAt) }
        }
    }

    /// The settlements of one sweep, and what they move.
    public struct ExpiryBatch: Sendable, Hashable {
        public let plans: [ExpiryPlan]
        public let deltas: BalanceDeltas
    }

    /// Settles expired packets: each remainder goes back to its sender. A packet is settled at
    /// its last claim, so an unsettled one always has a remainder; refusing to move 0 fen keeps
    /// the schema's `amount_fen > 0` true even if that changes. Idempotent through storage: a
    /// settled packet is never fetched again.
    public static func expire(_ packets: [ExpiredPacket], at now: Int64) -> ExpiryBatch {
        let plans = packets.map { packet in
            ExpiryPlan(
                redPacketID: packet.id, sender: packet.sender,
                refund: packet.remainderFen > 0
                    ? LedgerPosting(kind: .redPacketRefund, debit: .redPacketEscrow, credit: .user(packet.sender), amountFen: packet.remainderFen)
                    : nil,
                settledAt: now)
        }
        return ExpiryBatch(plans: plans, deltas: BalanceDeltas(plans.compactMap(\.refund)))
    }
}
