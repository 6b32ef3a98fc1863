import Core

/// A Lua state with plugins (or experiments) loaded, as the pool hands it out.
final class PooledState: @unchecked Sendable {
    let state: LuaState
    let circles: [CircleID: CircleHandles]
    /// Experiment id → its targeting function, in states loaded with experiments.
    let targeting: [String: LuaFunction]
    /// Experiment id → its segment functions, in the spec's segment order.
    let segments: [String: [LuaFunction]]

    init(state: LuaState, circles: [CircleID: CircleHandles] = [:], targeting: [String: LuaFunction] = [:],
         segments: [String: [LuaFunction]] = [:]) {
        self.state = state
        self.circles = circles
        self.targeting = targeting
        self.segments = segments
    }
}

/// Lua states shared by concurrent callers: a call takes an idle state (or makes one), runs
/// alone on it, and gives it back. A state a limit stopped is closed, not reused.
final class StatePool: Sendable {
    /// Idle states kept beyond this are closed: more than the threads that can call at once
    /// only costs memory.
    static let idleMax = 64

    /// Behind a pthread lock rather than `Mutex`, whose priority-inheritance futex sent every
    /// contended take and return through the kernel once feeds ran in parallel (see
    /// `ReadWriteLocked`); only its write side is used.
    private let idle = ReadWriteLocked<[PooledState]>([])
    private let make: @Sendable () throws(QuanziError) -> PooledState

    init(make: @escaping @Sendable () throws(QuanziError) -> PooledState) {
        self.make = make
    }

    func withState<T>(_ body: (PooledState) throws(QuanziError) -> T) throws(QuanziError) -> T {
        let pooled: PooledState
        if let taken = idle.write({ $0.popLast() }) {
            pooled = taken
        } else {
            pooled = try make()
        }
        defer {
            if !pooled.state.isPoisoned {
                idle.write { states in
                    if states.count < Self.idleMax { states.append(pooled) }
                }
            }
        }
        return try body(pooled)
    }

    var idleCount: Int { idle.read { $0.count } }
}
