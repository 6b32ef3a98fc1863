import CLuaShim

/// Memory for values handed to C (binding results, pushed records) until C has copied them.
/// Reset after every call; nothing outlives it.
///
/// Bump-allocated from chunks kept across resets: one allocation per string and per table was
/// a quarter of a permission check's CPU (a user record is a few dozen strings, and each went
/// through `posix_memalign`; perf, 50,000 users × 2 days). Written by hand: no library here
/// offers an arena for C-bound memory.
final class ValueArena {
    /// Bytes per chunk; a request of more than a quarter of it gets a block of its own.
    static let chunkBytes = 16 * 1_024
    /// Chunks kept for the next call after a reset (more were needed only by a large value).
    static let chunksKept = 4

    private var chunks: [UnsafeMutableRawPointer] = []
    /// The chunk being filled, and how much of it is used.
    private var chunkIndex = 0
    private var usedBytes = 0
    /// Blocks of their own, freed at reset.
    private var largeBlocks: [UnsafeMutableRawPointer] = []

    deinit {
        for chunk in chunks { chunk.deallocate() }
        for block in largeBlocks { block.deallocate() }
    }

    private func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        if byteCount > Self.chunkBytes / 4 {
            let block = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: max(alignment, 16))
            largeBlocks.append(block)
            return block
        }
        var start = (usedBytes + alignment - 1) & ~(alignment - 1)
        if chunks.isEmpty || start + byteCount > Self.chunkBytes {
            if !chunks.isEmpty { chunkIndex += 1 }
            if chunkIndex == chunks.count { chunks.append(.allocate(byteCount: Self.chunkBytes, alignment: 16)) }
            start = 0
        }
        usedBytes = start + byteCount
        return chunks[chunkIndex] + start
    }

    func copy(_ text: String) -> (UnsafePointer<CChar>, Int) {
        var text = text
        return text.withUTF8 { bytes in
            let block = allocate(byteCount: max(bytes.count, 1), alignment: 1)
            if let base = bytes.baseAddress { block.copyMemory(from: base, byteCount: bytes.count) }
            return (UnsafePointer(block.assumingMemoryBound(to: CChar.self)), bytes.count)
        }
    }

    func values(count: Int) -> UnsafeMutablePointer<qz_value> {
        let capacity = max(count, 1)
        let raw = allocate(byteCount: capacity * MemoryLayout<qz_value>.stride, alignment: MemoryLayout<qz_value>.alignment)
        let pointer = raw.bindMemory(to: qz_value.self, capacity: capacity)
        pointer.initialize(repeating: qz_value(), count: capacity)
        return pointer
    }

    func reset() {
        for block in largeBlocks { block.deallocate() }
        largeBlocks.removeAll(keepingCapacity: true)
        while chunks.count > Self.chunksKept { chunks.removeLast().deallocate() }
        chunkIndex = 0
        usedBytes = 0
    }

    /// Encodes `value` for C. Functions cannot cross this way and become nil.
    func encode(_ value: ScriptValue) -> qz_value {
        var encoded = qz_value()
        switch value {
        case .null:
            encoded.type = Int32(QZ_VALUE_NIL.rawValue)
        case .boolean(let flag):
            encoded.type = Int32(QZ_VALUE_BOOLEAN.rawValue)
            encoded.integer = flag ? 1 : 0
        case .integer(let number):
            encoded.type = Int32(QZ_VALUE_INTEGER.rawValue)
            encoded.integer = number
        case .number(let number):
            encoded.type = Int32(QZ_VALUE_NUMBER.rawValue)
            encoded.number = number
        case .string(let text):
            encoded.type = Int32(QZ_VALUE_STRING.rawValue)
            (encoded.string, encoded.length) = copy(text)
        case .record(let fields):
            encoded.type = Int32(QZ_VALUE_TABLE.rawValue)
            let pairs = values(count: fields.count * 2)
            for (offset, field) in fields.enumerated() {
                pairs[2 * offset] = encode(.string(field.name))
                pairs[2 * offset + 1] = encode(field.value)
            }
            encoded.pairs = UnsafePointer(pairs)
            encoded.length = fields.count
        case .list(let items):
            encoded.type = Int32(QZ_VALUE_TABLE.rawValue)
            let pairs = values(count: items.count * 2)
            for (offset, item) in items.enumerated() {
                pairs[2 * offset] = encode(.integer(Int64(offset + 1)))
                pairs[2 * offset + 1] = encode(item)
            }
            encoded.pairs = UnsafePointer(pairs)
            encoded.length = items.count
        }
        return encoded
    }
}
