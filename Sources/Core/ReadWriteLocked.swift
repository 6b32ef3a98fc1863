#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a reader-writer lock, for state that every request reads and few write: a
/// circle's feed window (read by every feed request, with the view rule's Lua calls inside;
/// written by posts, likes and reports) and the read caches. Behind `Mutex` (a priority-
/// inheritance futex on Linux), concurrent feeds queued on these and the kernel's rt-mutex path
/// became the largest cost under load. The standard library and swift-nio offer mutexes only,
/// hence this small wrapper over pthread_rwlock. Writers are preferred where the platform
/// allows, so a steady stream of readers cannot starve a like.
public final class ReadWriteLocked<Value>: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    // Guarded by `lock`: read under the read lock, mutated under the write lock only.
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        lock = .allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        let status = pthread_rwlock_init(lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
        precondition(status == 0, "pthread_rwlock_init failed: \(status)")
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` alongside other readers.
    public func read<T, Failure: Error>(_ body: (Value) throws(Failure) -> T) throws(Failure) -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(value)
    }

    /// Runs `body` alone.
    public func write<T, Failure: Error>(_ body: (inout Value) throws(Failure) -> T) throws(Failure) -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(&value)
    }
}
