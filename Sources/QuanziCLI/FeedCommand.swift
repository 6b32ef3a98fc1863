import ArgumentParser
import BlockingWork
import Core
import Service

struct FeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "A user's ranked feed in a circle, optionally with each feature's contribution.",
        discussion: "Ranked in Swift over the circle's in-memory window; the circle's view rule filters what is shown. Records nothing."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Viewer's user id.") var user: Int64
    @Option(help: "Circle id.") var circle = "campus-diary"
    @Option(help: "Posts per page (1–100).") var limit = 20
    @Option(help: "Cursor from the previous page.") var cursor: String?
    @Flag(help: "Show each feature's contribution to the score.") var explain = false

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        do {
            let result = try service.feed(for: UserID(user), in: CircleID(circle), limit: limit, cursor: cursor, explain: explain, recordViews: false)
            print(FeedTable.render(result, nowEpochSeconds: service.clock.nowEpochSeconds, explain: explain))
        } catch {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}
