/// A map from 64-bit ids to small integers: open addressing, linear probing, Fibonacci hashing.
///
/// Why not `Dictionary`: a request looks up every post the viewer has seen and every author the
/// viewer knows (hundreds of lookups), and SipHash made those lookups most of a small request's
/// cost. The ids are assigned by our own database (sequential, not chosen by clients), so a
/// multiplicative hash is safe here; it costs a multiply and a shift. Key and value share a slot,
/// so a lookup in a large table costs one cache miss, not two. At most 3/4 full, no metadata.
struct IdIndexTable<Value: FixedWidthInteger & Sendable>: Sendable {
    /// Marks an empty slot. Ids are positive; this one can never be a key.
    private static var emptyKey: Int64 { .min }
    private static var capacityMin: Int { 16 }

    private struct Slot: Sendable {
        var key: Int64
        var value: Value
    }

    private var slots: [Slot]
    private var shift: Int
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        var capacity = Self.capacityMin
        while capacity * 3 < minimumCapacity * 4 { capacity *= 2 }
        slots = Array(repeating: Slot(key: Self.emptyKey, value: 0), count: capacity)
        shift = 64 - capacity.trailingZeroBitCount
    }

    /// Slots allocated (for memory accounting).
    var capacity: Int { slots.count }

    static var bytesPerSlot: Int { MemoryLayout<Slot>.stride }

    @inline(__always)
    private func home(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    subscript(key: Int64) -> Value? {
        get {
            let mask = slots.count - 1
            var slot = home(key)
            while true {
                let found = slots[slot]
                if found.key == key { return found.value }
                if found.key == Self.emptyKey { return nil }
                slot = (slot + 1) & mask
            }
        }
        set {
            precondition(key != Self.emptyKey, "id \(key) is reserved")
            if let newValue { insert(key, newValue) } else { remove(key) }
        }
    }

    private mutating func insert(_ key: Int64, _ value: Value) {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var slot = home(key)
        while slots[slot].key != Self.emptyKey && slots[slot].key != key { slot = (slot + 1) & mask }
        if slots[slot].key == Self.emptyKey { count += 1 }
        slots[slot] = Slot(key: key, value: value)
    }

    /// Backward-shift deletion: later entries of the probe run move up, so lookups never need
    /// tombstones and the table does not degrade with churn.
    private mutating func remove(_ key: Int64) {
        let mask = slots.count - 1
        var slot = home(key)
        while slots[slot].key != key {
            if slots[slot].key == Self.emptyKey { return }
            slot = (slot + 1) & mask
        }
        count -= 1
        var hole = slot
        var next = (hole + 1) & mask
        while slots[next].key != Self.emptyKey {
            // The entry at `next` may fill the hole if its home is not in (hole, next], cyclically.
            let wanted = home(slots[next].key)
            let staysPut = hole <= next ? (hole < wanted && wanted <= next) : (hole < wanted || wanted <= next)
            if !staysPut {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole].key = Self.emptyKey
    }

    private mutating func grow() {
        var larger = IdIndexTable(minimumCapacity: slots.count * 3 / 2)
        for slot in slots where slot.key != Self.emptyKey { larger.insert(slot.key, slot.value) }
        self = larger
    }
}
