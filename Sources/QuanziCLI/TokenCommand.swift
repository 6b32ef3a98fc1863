import ArgumentParser
import Core
import Server
import Service
import SQLiteStorage

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue and revoke API bearer tokens.",
        discussion: "`quanzi token USER...` issues tokens (the default); `quanzi token revoke` ends them.",
        subcommands: [TokenIssue.self, TokenRevoke.self],
        defaultSubcommand: TokenIssue.self
    )
}

struct TokenIssue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue API bearer tokens for users.",
        discussion: """
            Prints each token once, on its own line, in the order of the users given; only its \
            SHA-256 digest is stored, so it cannot be shown again. Also opens the user's wallet account. With --admin the token may use \
            the admin routes (experiments, top-ups) and the review queue; with --moderator, the review queue. With --ttl-days the token expires that many days from now and then answers \
            401 token_expired; without it, it lives until revoked. Use it as `Authorization: Bearer <token>`.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "User ids (one token each).")
    var users: [Int64]

    @Flag(help: "Give the token the admin role.")
    var admin = false

    @Flag(help: "Give the token the moderator role: the review queue (list, approve, remove).")
    var moderator = false

    @Option(help: "Days until the token expires (\(APIToken.ttlDaysRange.lowerBound) to \(APIToken.ttlDaysRange.upperBound)); never when omitted.")
    var ttlDays: Int?

    func validate() throws {
        guard !users.isEmpty else { throw ValidationError("give at least one user id") }
        guard users.allSatisfy({ $0 > 0 }) else { throw ValidationError("USERS must be positive user ids") }
        if let ttlDays, !APIToken.ttlDaysRange.contains(ttlDays) {
            throw ValidationError("--ttl-days must be between \(APIToken.ttlDaysRange.lowerBound) and \(APIToken.ttlDaysRange.upperBound)")
        }
    }

    func run() async throws {
        let service = try await options.openService()
        let issuer = TokenIssuer(store: service.storage.tokens, wallet: service.wallet, clock: service.clock)
        do {
            for user in users { print(try await issuer.issue(for: UserID(user), admin: admin, moderator: moderator, ttlDays: ttlDays).token) }
        } catch let error as QuanziError {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}
