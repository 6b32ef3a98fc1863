import ArgumentParser
import BlockingWork
import Core
import Foundation
import Service
import Social

/// The review queue from the command line, for an operator who holds the database: the same
/// service calls as the API's moderator routes. A decision names its moderator (`--as`).
struct ModerationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moderation", abstract: "The review queue: held posts, and approving or removing them.",
        subcommands: [ModerationQueue.self, ModerationApprove.self, ModerationRemove.self])
}

struct ModerationQueue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Posts waiting for a moderator, oldest first, with their keywords and reports.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Items to list (1 to \(ModerationReview.pageSizeMax)).") var limit = 20

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    func run(_ service: QuanziService) throws {
        let entries = try ModerationCommand.reporting { try service.moderationQueue(limit: limit).entries }
        print(ModerationQueueText.render(entries, nowEpochSeconds: service.clock.nowEpochSeconds))
    }
}

struct ModerationApprove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Show a held post again.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The queue item's id (from `quanzi moderation queue`).") var item: Int64
    @Option(name: .customLong("as"), help: "The moderator's user id, recorded with the decision.") var moderator: Int64
    @Option(help: "A note kept with the decision.") var note: String?

    func run() async throws {
        let service = try await options.openService()
        let decided = try await Blocking.awaited {
            try ModerationCommand.reporting { try service.decideModeration(item, .approve(note: note), by: UserID(moderator)) }
        }
        print("#\(decided.id): post \(decided.postID) approved; it is shown again")
    }
}

struct ModerationRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Keep a held post hidden for good; its author sees the reason and may appeal once.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The queue item's id (from `quanzi moderation queue`).") var item: Int64
    @Option(name: .customLong("as"), help: "The moderator's user id, recorded with the decision.") var moderator: Int64
    @Option(help: "Why, as the author will read it.") var reason: String

    func run() async throws {
        let service = try await options.openService()
        let decided = try await Blocking.awaited {
            try ModerationCommand.reporting { try service.decideModeration(item, .remove(reason: reason), by: UserID(moderator)) }
        }
        print("#\(decided.id): post \(decided.postID) removed: \(decided.decisionText ?? "")")
    }
}

extension ModerationCommand {
    /// Runs `body`; a refusal prints its code and message (as the API shows them) and exits 1.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as QuanziError {
            Console.error(error.description)
            throw ExitCode(1)
        }
    }
}
