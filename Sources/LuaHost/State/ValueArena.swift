import CLuaShim

/// Memory for values handed to C (binding results, pushed records) until C has copied them.
/// Reset after every call; nothing outlives it.
final class ValueArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    func copy(_ text: String) -> (UnsafePointer<CChar>, Int) {
        var text = text
        return text.withUTF8 { bytes in
            let block = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            if let base = bytes.baseAddress { block.copyMemory(from: base, byteCount: bytes.count) }
            blocks.append(block)
            return (UnsafePointer(block.assumingMemoryBound(to: CChar.self)), bytes.count)
        }
    }

    func values(count: Int) -> UnsafeMutablePointer<qz_value> {
        let pointer = UnsafeMutablePointer<qz_value>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: qz_value(), count: max(count, 1))
        blocks.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    func reset() {
        guard !blocks.isEmpty else { return }
        for block in blocks { block.deallocate() }
        blocks.removeAll(keepingCapacity: true)
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
