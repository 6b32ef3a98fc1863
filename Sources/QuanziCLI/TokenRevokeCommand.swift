import ArgumentParser
import Core
import Foundation
import Server
import Service
import SQLiteStorage

struct TokenRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke every token of a user, or one token given its text.",
        discussion: """
            Prints what was revoked (token ids and their user). A revoked token answers 401 from then on, on every \
            running server within \(TokenAuthenticator.revocationDelaySecondsMax) s (each caches a token it has read for \
            that long). Nothing live to revoke prints so and exits with status 1. `--token -` reads the token from standard \
            input, which keeps it out of shell history and the process list.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Revoke every live token of this user id.")
    var user: Int64?

    @Option(help: "Revoke the token with this text ('-': read it from standard input).")
    var token: String?

    func validate() throws {
        guard (user == nil) != (token == nil) else { throw ValidationError("give exactly one of --user and --token") }
        if let user, user <= 0 { throw ValidationError("--user must be a positive user id") }
    }

    func run() async throws {
        let text = try token.map(Self.tokenText)
        let service = try await options.openService()
        let authenticator = TokenAuthenticator(tokens: service.storage.tokens, clock: service.clock)
        let revoked: [APIToken]
        do {
            if let user {
                revoked = try await authenticator.revoke(.user(UserID(user)))
            } else {
                revoked = try await authenticator.revoke(tokenText: text ?? "").map { [$0] } ?? []
            }
        } catch let error as QuanziError {
            Console.error(error.description)
            throw ExitCode(1)
        }
        guard !revoked.isEmpty else {
            Console.error(user.map { "user \($0) has no live token" } ?? "no live token has that text")
            throw ExitCode(1)
        }
        for record in revoked { print("revoked token \(record.id) of user \(record.userID)") }
    }

    private static func tokenText(_ option: String) throws -> String {
        guard option == "-" else { return option }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("no token on standard input") }
        return line.trimmingCharacters(in: .whitespaces)
    }
}
