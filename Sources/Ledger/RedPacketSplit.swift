/// How a red packet's total is divided; stored as text in `red_packets.split`.
public enum RedPacketSplit: String, Sendable, Hashable, Codable, CaseIterable {
    /// 普通红包: even shares.
    case fixed
    /// 拼手气红包: random shares by the double-mean method.
    case lucky
}
