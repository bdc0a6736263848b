// Helpers of the Swift suite: the sandbox's control API, the scenario files' matching rules, and the
// facts of a ZkitError whatever its case. The twin of bindings-uniffi/kotlin/src/test/.

import Foundation
import XCTest
import Zkit

let sandboxKey = "zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee"
let wrongKey = "zrk_not_a_sandbox_key_0000"
let appsPath = "/zerokie/v1/apps"

/// The repository root: `ZKIT_REPO`, else found from this file's place (bindings-uniffi/swift/Tests/ZkitTests/).
let repoRoot: URL = {
    if let root = ProcessInfo.processInfo.environment["ZKIT_REPO"], !root.isEmpty {
        return URL(fileURLWithPath: root)
    }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<5 { url.deleteLastPathComponent() }
    return url
}()

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

/// The zkit sandbox at `ZKIT_SANDBOX_URL` (start one with `cargo run -p zkit-sandbox -- --port 4010`
/// and set `ZKIT_SANDBOX_URL=http://127.0.0.1:4010`), driven by its control API under `/__sandbox/`.
final class Sandbox {
    let url: String

    init(url: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    static func fromEnvironment() throws -> Sandbox {
        guard let url = ProcessInfo.processInfo.environment["ZKIT_SANDBOX_URL"], !url.isEmpty else {
            throw XCTSkip("set ZKIT_SANDBOX_URL to a running zkit sandbox (cargo run -p zkit-sandbox -- --port 4010)")
        }
        return Sandbox(url: url)
    }

    var zerokieURL: String { "\(url)/zerokie" }

    /// One control request; the answer's JSON, or nil for an empty body.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        var request = URLRequest(url: URL(string: "\(url)/__sandbox/\(path)")!)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<400).contains(status) else {
            throw TestFailure(description: "sandbox control \(method) \(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return data.isEmpty ? nil : try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    /// State, journal, faults and clock back to the start.
    func reset() async throws {
        try await control("POST", "reset")
    }

    func advanceClock(_ seconds: Double) async throws {
        try await control("POST", "clock", ["advance_seconds": seconds])
    }

    /// Every API request received since the last reset, oldest first.
    func journal() async throws -> [[String: Any]] {
        (try await control("GET", "journal") as? [[String: Any]]) ?? []
    }

    /// Queues a fault: method, path (a prefix), times, kind, status, body, retry_after, delay_ms.
    func fault(_ fields: [String: Any]) async throws {
        try await control("POST", "faults", fields)
    }

    /// Waits until a request whose path ends with `suffix` has reached the sandbox.
    func arrived(_ suffix: String) async throws {
        let deadline = Date().addingTimeInterval(5)
        while true {
            let entries = try await journal()
            if entries.contains(where: { ($0["path"] as? String)?.hasSuffix(suffix) == true }) { return }
            guard Date() < deadline else { throw TestFailure(description: "no request to …\(suffix) reached the sandbox") }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
    }

    /// What the sandbox says of `api` (`GET /__sandbox/`): its `base_url`, `api_key` and `credentials`.
    func describe(_ api: String) async throws -> [String: Any] {
        let root = try await control("GET", "") as? [String: Any]
        guard let described = (root?["apis"] as? [String: Any])?[api] as? [String: Any] else {
            throw TestFailure(description: "the sandbox does not describe \(api)")
        }
        return described
    }

    /// One of the credentials the sandbox holds for `api`, by its name (`admin_key`, `admin_password`, …).
    func credential(_ api: String, _ name: String) async throws -> String {
        guard let value = (try await describe(api)["credentials"] as? [String: Any])?[name] as? String else {
            throw TestFailure(description: "the sandbox has no \(api) credential \(name)")
        }
        return value
    }

    /// `given`, else the sandbox's credential `name` of `api`.
    func credential(_ api: String, _ name: String, unless given: String?) async throws -> String {
        if let given {
            return given
        }
        return try await credential(api, name)
    }

    /// A client on this sandbox with a fixed jitter seed; `configure` changes the rest.
    func client(key: String = sandboxKey, _ configure: (inout ClientSettings) -> Void = { _ in }) throws -> Zerokie {
        var settings = ClientSettings(baseUrl: zerokieURL, jitterSeed: 7)
        configure(&settings)
        return try Zerokie(apiKey: key, settings: settings)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A header of a journal entry.
    func header(_ name: String) -> String? { (self["headers"] as? [String: Any])?[name] as? String }
    var status: Int? { self["status"] as? Int }
}

// MARK: - JSON

func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

func writeJSON(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]), as: UTF8.self)
}

private func isNull(_ value: Any?) -> Bool {
    value == nil || value is NSNull
}

private func isBoolean(_ number: NSNumber) -> Bool {
    CFGetTypeID(number) == CFBooleanGetTypeID()
}

/// Whether `actual` matches `expected`, as tests/scenarios/README.md says: objects by the expected keys
/// (extra keys allowed), arrays by length and element, numbers by value, anything else by equality (a
/// boolean never equals a number).
func matches(_ expected: Any?, _ actual: Any?) -> Bool {
    if let expected = expected as? [String: Any] {
        guard let actual = actual as? [String: Any] else { return false }
        return expected.allSatisfy { key, value in actual.keys.contains(key) && matches(value, actual[key]) }
    }
    if let expected = expected as? [Any] {
        guard let actual = actual as? [Any], actual.count == expected.count else { return false }
        return zip(expected, actual).allSatisfy { matches($0, $1) }
    }
    if isNull(expected) { return isNull(actual) }
    if let expected = expected as? String { return (actual as? String) == expected }
    if let expected = expected as? NSNumber {
        guard !(actual is String), let actual = actual as? NSNumber else { return false }
        if isBoolean(expected) || isBoolean(actual) {
            return isBoolean(expected) && isBoolean(actual) && expected.boolValue == actual.boolValue
        }
        return expected.doubleValue == actual.doubleValue
    }
    return false
}

// MARK: - Errors

/// Everything a ZkitError carries, whatever its case, with the taxonomy's kind name.
struct Facts: Equatable {
    let kind: String
    let reason: String
    let status: UInt16?
    let code: String?
    let requestId: String?
    let retryAfterSeconds: Double?
    let field: String?
    let details: String?
    let retryable: Bool
}

extension ZkitError {
    /// The facts of an error. The switch has no `default`: a case added to ZkitError without a line
    /// here does not compile, so the tests always know every kind.
    var facts: Facts {
        switch self {
        case let .BadRequest(r, s, c, q, a, f, d, t): return Facts(kind: "bad_request", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Unauthorized(r, s, c, q, a, f, d, t): return Facts(kind: "unauthorized", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .PaymentRequired(r, s, c, q, a, f, d, t): return Facts(kind: "payment_required", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Forbidden(r, s, c, q, a, f, d, t): return Facts(kind: "forbidden", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .NotFound(r, s, c, q, a, f, d, t): return Facts(kind: "not_found", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Conflict(r, s, c, q, a, f, d, t): return Facts(kind: "conflict", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .RateLimited(r, s, c, q, a, f, d, t): return Facts(kind: "rate_limited", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Server(r, s, c, q, a, f, d, t): return Facts(kind: "server", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Upstream(r, s, c, q, a, f, d, t): return Facts(kind: "upstream", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Redirect(r, s, c, q, a, f, d, t): return Facts(kind: "redirect", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Timeout(r, s, c, q, a, f, d, t): return Facts(kind: "timeout", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Connection(r, s, c, q, a, f, d, t): return Facts(kind: "connection", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Decode(r, s, c, q, a, f, d, t): return Facts(kind: "decode", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .InvalidInput(r, s, c, q, a, f, d, t): return Facts(kind: "invalid_input", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        case let .Internal(r, s, c, q, a, f, d, t): return Facts(kind: "internal", reason: r, status: s, code: c, requestId: q, retryAfterSeconds: a, field: f, details: d, retryable: t)
        }
    }
}

/// Runs `body`, which must throw a ZkitError; returns it. Anything else fails the test.
func expectError<T>(_ what: String = "call", _ body: () async throws -> T) async throws -> ZkitError {
    do {
        let value = try await body()
        throw TestFailure(description: "\(what): expected a ZkitError, got \(value)")
    } catch let error as ZkitError {
        return error
    }
}

/// `expectError`, and the error must be of `kind`; returns its facts.
func expectFailure<T>(_ kind: String, _ what: String = "call", _ body: () async throws -> T) async throws -> Facts {
    let facts = try await expectError(what, body).facts
    guard facts.kind == kind else {
        throw TestFailure(description: "\(what): expected \(kind), got \(facts)")
    }
    return facts
}

/// A JSON null for an absent value.
func orNull(_ value: Any?) -> Any {
    value ?? NSNull()
}
