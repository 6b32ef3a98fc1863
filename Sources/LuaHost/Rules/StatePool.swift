import Core
import Synchronization

/// A Lua state with plugins (or experiments) loaded, as the pool hands it out.
final class PooledState: @unchecked Sendable {
    let state: LuaState
    let circles: [CircleID: CircleHandles]
    /// Experiment id → its targeting function, in states loaded with experiments.
    let targeting: [String: LuaFunction]

    init(state: LuaState, circles: [CircleID: CircleHandles] = [:], targeting: [String: LuaFunction] = [:]) {
        self.state = state
        self.circles = circles
        self.targeting = targeting
    }
}

/// Lua states shared by concurrent callers: a call takes an idle state (or makes one), runs
/// alone on it, and gives it back. A state a limit stopped is closed, not reused.
final class StatePool: Sendable {
    /// Idle states kept beyond this are closed: more than the threads that can call at once
    /// only costs memory.
    static let idleMax = 64

    private let idle = Mutex<[PooledState]>([])
    private let make: @Sendable () throws(QuanziError) -> PooledState

    init(make: @escaping @Sendable () throws(QuanziError) -> PooledState) {
        self.make = make
    }

    func withState<T>(_ body: (PooledState) throws(QuanziError) -> T) throws(QuanziError) -> T {
        let pooled: PooledState
        if let taken = idle.withLock({ $0.popLast() }) {
            pooled = taken
        } else {
            pooled = try make()
        }
        defer {
            if !pooled.state.isPoisoned {
                idle.withLock { states in
                    if states.count < Self.idleMax { states.append(pooled) }
                }
            }
        }
        return try body(pooled)
    }

    var idleCount: Int { idle.withLock { $0.count } }
}
