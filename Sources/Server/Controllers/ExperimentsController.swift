import APIInput
import BlockingWork
import Core
import Experiments
import Foundation
import Hummingbird
import Service
import StorageModel

/// `/v1/experiments` (admin): the declared experiments with their live status, stopping one, and
/// the A/B report.
struct ExperimentsController {
    let service: QuanziService

    func addRoutes(to admin: RouterGroup<QuanziRequestContext>) {
        admin.get("experiments", use: list)
        admin.get("experiments/:id", use: experiment)
        admin.post("experiments/:id/stop", use: stop)
        admin.post("experiments/:id/ship", use: ship)
        admin.post("experiments/:id/advance", use: advance)
        admin.post("experiments/:id/hold", use: hold)
        admin.post("experiments/:id/release", use: release)
        admin.get("experiments/:id/report", use: report)
    }

    @Sendable func list(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let views = try await Blocking.run {
            let changes = try QuanziError.wrapping { try service.experiments.store.allChanges() }
            return try service.experiments.experiments.experiments.map { try view($0, history: changes[$0.id] ?? []) }
        }
        return try JSONResponse.make(ExperimentsView(experiments: views))
    }

    @Sendable func experiment(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let spec = try requireSpec(context)
        return try JSONResponse.make(try await Blocking.run { try view(spec, history: try service.experiments.changes(of: spec.id)) })
    }

    @Sendable func stop(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let spec = try requireSpec(context)
        let body = try await request.decodeJSON(as: StopExperiment.self, context: context)
        let reason = body.reason ?? "stopped through the API by user \(caller.userID)"
        let stopped = try await Blocking.commit {
            try service.experiments.stop(spec.id, personReason: reason, actor: "admin:\(caller.userID)")
            return try view(spec, history: try service.experiments.changes(of: spec.id))
        }
        return try JSONResponse.make(stopped)
    }

    /// Ships a variant: every targeted user gets its params from now on and nothing more is
    /// exposed. An unknown variant, or an experiment already shipped, changes nothing.
    @Sendable func ship(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let spec = try requireSpec(context)
        let body = try await request.decodeJSON(as: ShipExperiment.self, context: context)
        let reason = body.reason ?? "shipped through the API by user \(caller.userID)"
        let shipped = try await Blocking.commit {
            _ = try service.experiments.ship(spec.id, variant: body.variant, personReason: reason, actor: "admin:\(caller.userID)")
            return try view(spec, history: try service.experiments.changes(of: spec.id))
        }
        return try JSONResponse.make(shipped)
    }

    /// Moves a running ramp to its next step now (409 at the last step or when not running).
    @Sendable func advance(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await rampChange(request, context: context, verb: "advanced") { spec, reason, actor in
            try service.experiments.advance(spec.id, personReason: reason, actor: actor)
        }
    }

    /// Holds a running ramp at its step: the watcher stops moving it on (a violated guardrail still stops it).
    @Sendable func hold(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await rampChange(request, context: context, verb: "held") { spec, reason, actor in
            try service.experiments.hold(spec.id, personReason: reason, actor: actor)
        }
    }

    /// Releases a held ramp.
    @Sendable func release(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        try await rampChange(request, context: context, verb: "released") { spec, reason, actor in
            try service.experiments.release(spec.id, personReason: reason, actor: actor)
        }
    }

    private func rampChange(
        _ request: Request, context: QuanziRequestContext, verb: String,
        _ change: @escaping @Sendable (ExperimentSpec, String, String) throws -> ExperimentChange
    ) async throws -> Response {
        let caller = try context.requireCaller()
        let spec = try requireSpec(context)
        let body = try await request.decodeJSON(as: RampExperiment.self, context: context)
        let reason = body.reason ?? "\(verb) through the API by user \(caller.userID)"
        let changed = try await Blocking.commit {
            _ = try change(spec, reason, "admin:\(caller.userID)")
            return try view(spec, history: try service.experiments.changes(of: spec.id))
        }
        return try JSONResponse.make(changed)
    }

    /// The same document `quanzi ab analyze` writes to report.json. A GET never stops anything:
    /// guardrails are applied by the service's watcher (`serve --watch-interval-minutes`) and by
    /// `quanzi ab analyze`, not by reading a report.
    @Sendable func report(_ request: Request, context: QuanziRequestContext) async throws -> Response {
        let spec = try requireSpec(context)
        let report = try await Blocking.run {
            try service.experiments.analyze(spec.id, now: service.clock.nowEpochSeconds, applyGuardrails: false, segments: true)
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try report.jsonData())))
    }

    private func requireSpec(_ context: QuanziRequestContext) throws -> ExperimentSpec {
        let id = context.parameters.get("id") ?? ""
        guard let spec = service.experiments.experiments.experiment(id) else {
            throw QuanziError(.experimentNotFound, "no experiment '\(id)'")
        }
        return spec
    }

    private func view(_ spec: ExperimentSpec, history: [ExperimentChange]) throws -> ExperimentView {
        let experiments = service.experiments
        let exposed = try QuanziError.wrapping { try experiments.store.exposureCounts(of: spec.id, phase: spec.phase) }
        return ExperimentView(spec, lifecycle: experiments.currentLifecycle(of: spec), traffic: experiments.currentTraffic(of: spec),
                              exposedPerVariant: exposed, history: history, nextCheckAt: experiments.nextCheckAtEpochSeconds)
    }
}
