import ArgumentParser
import BlockingWork
import Core
import Credit
import Foundation
import Service

struct CreditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credit", abstract: "Credit scores (350–950) with their dimensions and reasons.",
        subcommands: [CreditExplain.self, CreditRecompute.self])
}

struct CreditExplain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "A user's score, each dimension and the reasons.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "User id.") var user: Int64

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        guard let report = try service.credit.report(UserID(user)) else {
            Console.error("no credit score for user \(user) (run `quanzi credit recompute`)")
            throw ExitCode(1)
        }
        print("user \(user): credit \(report.score) (350–950)")
        for dimension in report.dimensions {
            let name = dimension.dimension.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
            print("  \(name) \(String(format: "%4d", dimension.points)) / \(dimension.dimension.maximumPoints)")
            for reason in dimension.reasons {
                print("      \(reason.points >= 0 ? "+" : "")\(reason.points)  \(reason.message)  [\(reason.code.rawValue)]")
            }
        }
    }
}

struct CreditRecompute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recompute", abstract: "Rescore every user from the current data.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        let service = try await options.openService()
        try await Blocking.awaited { try self.run(service) }
    }

    /// On a thread that may block (the stores are synchronous).
    func run(_ service: QuanziService) throws {
        let started = Date()
        let count = try service.credit.recomputeAll(at: service.clock.nowEpochSeconds)
        print("scored \(count) users in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
    }
}
