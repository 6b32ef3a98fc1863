import ArgumentParser
import Core
import Server
import Service
import Storage

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue API bearer tokens for users.",
        discussion: """
            Prints each token once, on its own line, in the order of the users given; only its \
            SHA-256 digest is stored, so it cannot be shown again. Also opens the user's wallet account. With --admin the token may use \
            the admin routes (experiments, top-ups). Use it as `Authorization: Bearer <token>`.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "User ids (one token each).")
    var users: [Int64]

    @Flag(help: "Give the token the admin role.")
    var admin = false

    func validate() throws {
        guard !users.isEmpty else { throw ValidationError("give at least one user id") }
        guard users.allSatisfy({ $0 > 0 }) else { throw ValidationError("USERS must be positive user ids") }
    }

    func run() async throws {
        let service = try await options.openService()
        let issuer = TokenIssuer(store: service.storage.tokens, wallet: service.wallet, clock: service.clock)
        do {
            for user in users { print(try await issuer.issue(for: UserID(user), admin: admin).token) }
        } catch let error as QuanziError {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}
