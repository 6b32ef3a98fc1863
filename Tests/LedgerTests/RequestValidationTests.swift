import Core
import Ledger
import Testing

@Suite("Request checks")
struct RequestValidationTests {
    let limits = LedgerLimits.default
    let alice = UserID(1)
    let bob = UserID(2)

    @Test("field checks fail in the documented order")
    func transferOrder() {
        func check(_ from: UserID, _ to: UserID, _ amountFen: Int64, key: String = "k") -> LedgerError? {
            TransferRequest.transfer(from: from, to: to, amountFen: amountFen, idempotencyKey: key).fieldError(limits: limits)
        }
        // Each request breaks every check from some point on; the first broken one must win.
        #expect(check(alice, alice, 0, key: "") == .invalidIdempotencyKey)
        #expect(check(alice, alice, 0) == .amountMustBePositive)
        #expect(check(alice, alice, -5) == .amountMustBePositive)
        #expect(check(alice, alice, 10_000_000) == .sameAccount)
        #expect(check(alice, bob, 10_000_000) == .exceedsLimit)
        #expect(check(alice, bob, limits.transferAmountMaxFen) == nil)
    }

    @Test("idempotency keys are 1 to 128 bytes of UTF-8")
    func keyLength() {
        #expect(LedgerLimits.isWellFormed(idempotencyKey: String(repeating: "k", count: 128)))
        #expect(!LedgerLimits.isWellFormed(idempotencyKey: String(repeating: "k", count: 129)))
        // 43 three-byte characters are 129 bytes even though they are 43 characters.
        #expect(!LedgerLimits.isWellFormed(idempotencyKey: String(repeating: "红", count: 43)))
    }

    @Test("red packet checks fail in the documented order")
    func redPacketOrder() {
        func check(total: Int64, count: Int, audience: RedPacketAudience = .friends, key: String = "k") -> LedgerError? {
            RedPacketRequest(sender: alice, split: .lucky, totalFen: total, shareCount: count, audience: audience, idempotencyKey: key)
                .fieldError(limits: limits)
        }
        #expect(check(total: 0, count: 0, key: "") == .invalidIdempotencyKey)
        #expect(check(total: 0, count: 0) == .amountMustBePositive)
        #expect(check(total: 100, count: 0) == .countMustBePositive)
        #expect(check(total: 5, count: 6) == .countExceedsTotal)
        #expect(check(total: 50_000, count: 5, audience: .users([])) == .audienceEmpty)
        #expect(check(total: 50_000, count: 5) == .exceedsLimit)
        #expect(check(total: 1_000, count: 101) == .exceedsLimit)
        #expect(check(total: 1_000, count: 2, audience: .users((1...501).map { UserID(Int64($0)) })) == .exceedsLimit)
        #expect(check(total: 20_000, count: 100, audience: .circle(CircleID("campus-diary"))) == nil)
    }

    @Test("fingerprints tell different requests apart and ignore audience order")
    func fingerprints() {
        let base = TransferRequest.transfer(from: alice, to: bob, amountFen: 100, idempotencyKey: "k")
        #expect(base.fingerprint == TransferRequest.transfer(from: alice, to: bob, amountFen: 100, idempotencyKey: "other").fingerprint)
        #expect(base.fingerprint != TransferRequest.transfer(from: alice, to: bob, amountFen: 101, idempotencyKey: "k").fingerprint)
        #expect(base.fingerprint != TransferRequest.tip(from: alice, to: bob, postID: 9, amountFen: 100, idempotencyKey: "k").fingerprint)
        func packet(_ users: [Int64], seed: UInt64? = nil) -> String {
            RedPacketRequest(
                sender: alice, split: .fixed, totalFen: 100, shareCount: 2, audience: .users(users.map { UserID($0) }),
                idempotencyKey: "k", seed: seed
            ).fingerprint
        }
        #expect(packet([3, 2, 2]) == packet([2, 3]))
        #expect(packet([2, 3]) != packet([2, 4]))
        #expect(packet([2, 3], seed: 1) != packet([2, 3]))
    }

    @Test("account ids map users and the two system accounts")
    func accountIDs() {
        #expect(AccountID.user(alice).kind == .user)
        #expect(AccountID.user(alice).userID == alice)
        #expect(AccountID.external.kind == .external && AccountID.external.kind?.mayGoNegative == true)
        #expect(AccountID.redPacketEscrow.kind == .escrow && AccountID.redPacketEscrow.kind?.mayGoNegative == false)
        #expect(AccountID(rawValue: -7).kind == nil)
    }
}
