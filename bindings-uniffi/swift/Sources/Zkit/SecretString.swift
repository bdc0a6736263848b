/// A secret (such as a registry password) that never prints itself: `description` shows at most the
/// first and last four characters of a long value. Read the value itself with `value`.
public struct SecretString: Equatable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String {
        value.count < 16 ? "SecretString(…)" : "SecretString(\(value.prefix(4))…\(value.suffix(4)))"
    }

    public var debugDescription: String { description }
}
