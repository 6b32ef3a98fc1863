import ArgumentParser
import Core
import Server
import Service
import Storage

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue an API bearer token for a user.",
        discussion: """
            Prints the token once, on its own line; only its SHA-256 digest is stored, so it cannot \
            be shown again. Also opens the user's wallet account. With --admin the token may use \
            the admin routes (experiments, top-ups). Use it as `Authorization: Bearer <token>`.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "User id.")
    var user: Int64

    @Flag(help: "Give the token the admin role.")
    var admin = false

    func validate() throws {
        guard user > 0 else { throw ValidationError("USER must be a positive user id") }
    }

    func run() async throws {
        let service = try options.openService()
        let issuer = TokenIssuer(store: TokenStore(database: service.database), wallet: service.wallet, clock: service.clock)
        do {
            print(try await issuer.issue(for: UserID(user), admin: admin).token)
        } catch let error as QuanziError {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}
