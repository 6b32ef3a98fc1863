import CLuaShim

/// Per-state cache of read-only proxies that rules get as arguments (users, posts): pushing a
/// cached proxy is one registry lookup instead of building a table field by field. A feed page
/// asks the view rule about twenty posts, each time with the same viewer, and the posts near the
/// top of a circle are shown again and again.
///
/// Looked up by `Key` (hashing a whole value costs more than the Lua call); an entry is used only
/// when its `Stamp` equals the caller's, so a changed value is rebuilt. Bounded by entries and by
/// an approximate cost in bytes (cached proxies count against the state's memory cap), and
/// cleared wholesale when full: cheap, and a state's working set refills in a few requests.
struct ProxyCache<Key: Hashable, Stamp: Equatable> {
    let entriesMax: Int
    let costBytesMax: Int

    struct Entry {
        var stamp: Stamp
        var reference: Int32
        /// Made a record proxy (`qz_make_record`) on its first reuse.
        var isRecord = false
    }

    private(set) var entries: [Key: Entry] = [:]
    private var costBytes = 0

    init(entriesMax: Int, costBytesMax: Int = .max) {
        self.entriesMax = entriesMax
        self.costBytesMax = costBytesMax
    }

    /// The cached proxy's reference when `stamp` matches, changing nothing (so no Lua call that
    /// could allocate: bindings use it while a script runs).
    func cachedReference(for key: Key, stamp: Stamp) -> Int32? {
        guard let entry = entries[key], entry.stamp == stamp else { return nil }
        return entry.reference
    }

    /// The cached proxy's reference when `stamp` matches; a stale entry is released. The first
    /// reuse makes the proxy a record (`qz_make_record`): a proxy used once never pays for the
    /// record's table, one used again reads its fields inside the VM from then on.
    mutating func reference(for key: Key, stamp: Stamp, in state: LuaState) -> (reference: Int32, isRecord: Bool)? {
        guard let entry = entries[key] else { return nil }
        if entry.stamp == stamp {
            if !entry.isRecord { entries[key]?.isRecord = true }
            return (entry.reference, entry.isRecord)
        }
        state.release(reference: entry.reference)
        entries[key] = nil
        return nil
    }

    /// Keeps the reference (taking ownership of it), first emptying the cache when full.
    mutating func insert(_ reference: Int32, for key: Key, stamp: Stamp, costBytes cost: Int, in state: LuaState) {
        if entries.count >= entriesMax || costBytes + cost > costBytesMax {
            for entry in entries.values { state.release(reference: entry.reference) }
            entries.removeAll(keepingCapacity: true)
            costBytes = 0
        }
        entries[key] = Entry(stamp: stamp, reference: reference)
        costBytes += cost
    }
}

extension LuaState {
    /// Pushes the proxy cached in `cache` under `key` and `stamp`, or builds it with `make`,
    /// pushes it and caches it. Safe outside a protected call (see `push`).
    ///
    /// `cache` is one of this state's own caches, passed inout: reaching it through a
    /// `ReferenceWritableKeyPath` cost about 2,000 instructions a push (a generic key-path
    /// projection with metadata lookups and an allocation), more than the rule it fed.
    func pushCached<Key: Hashable, Stamp: Equatable>(
        _ cache: inout ProxyCache<Key, Stamp>, key: Key, stamp: Stamp, costBytes: Int, make: () -> ScriptValue
    ) {
        // A cached proxy becomes a record, whose reads cannot be traced: while tracing (`explain`)
        // the rule gets a fresh, traced proxy instead, and the cache is left as it is.
        if isTracing {
            push(make())
            return
        }
        if let (reference, isRecord) = cache.reference(for: key, stamp: stamp, in: self) {
            pushReference(reference)
            if !isRecord { qz_make_record(L, -1) }
            return
        }
        push(make())
        qz_pushvalue(L, -1)
        let reference = popReference()
        cache.insert(reference, for: key, stamp: stamp, costBytes: costBytes, in: self)
    }
}
