// The Swift suite: the twin of the Kotlin suite in bindings-uniffi/kotlin/src/test/ (same tests, same
// sandbox, same scenario files). Run it on an Apple host:
//
//     bindings-uniffi/build-xcframework.sh
//     cargo run -p zkit-sandbox -- --port 4010 &
//     cd bindings-uniffi/swift && ZKIT_SANDBOX_URL=http://127.0.0.1:4010 swift test
//
// Without ZKIT_SANDBOX_URL every test is skipped.

import Foundation
import XCTest
import Zkit

/// A test case on a freshly reset sandbox.
class SandboxTestCase: XCTestCase {
    var sandbox: Sandbox!

    override func setUp() async throws {
        sandbox = try Sandbox.fromEnvironment()
        try await sandbox.reset()
    }
}

// MARK: - The release's version

final class VersionTests: SandboxTestCase {
    func testTheLibrarysVersionIsTheReleasesAndTheUserAgentNamesIt() async throws {
        // Tests/ZkitTests/ZkitTests.swift → the repository's Cargo.toml, the one place the version is set.
        var repo = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { repo.deleteLastPathComponent() }
        let cargo = try String(contentsOf: repo.appendingPathComponent("Cargo.toml"), encoding: .utf8)
        let line = cargo.split(separator: "\n").first { $0.hasPrefix("version = \"") }!
        let version = line.split(separator: "\"")[1]
        XCTAssertEqual(zkitVersion(), String(version))
        _ = try await sandbox.client().listApps()
        let journal = try await sandbox.journal()
        XCTAssertEqual(journal.last?.header("user-agent"), "zkit-mobile/\(version)")
    }
}

// MARK: - Every Zerokie operation

final class ZerokieTests: SandboxTestCase {
    func testAContainerAppFromCreateToDelete() async throws {
        let zerokie = try sandbox.client()
        let created = try await zerokie.createApp(input: CreateApp(name: "my-app", image: "nginx:alpine", port: 80, env: ["NODE_ENV": "production"]))
        XCTAssertEqual(created.name, "my-app")
        XCTAssertEqual(created.kind, .container)
        XCTAssertEqual(created.image, "nginx:alpine")
        XCTAssertEqual(created.port, 80)
        XCTAssertEqual(created.status, .deploying)
        XCTAssertEqual(created.url, "https://my-app.platform-dev.zerokie.com")

        let duplicate = try await expectFailure("conflict") { try await zerokie.createApp(input: CreateApp(name: "my-app", image: "nginx:alpine")) }
        XCTAssertEqual(duplicate.status, 409)
        XCTAssertEqual(duplicate.reason, "app name already exists")

        try await sandbox.advanceClock(10)
        let fetched = try await zerokie.getApp(input: GetApp(name: "my-app"))
        XCTAssertEqual(fetched.status, .running)
        XCTAssertEqual(fetched.instances, 1)
        XCTAssertEqual(fetched.cpu, 256)
        XCTAssertEqual(fetched.memory, 512)
        XCTAssertNotNil(fetched.createdAt)
        XCTAssertNotNil(fetched.updatedAt)

        let deploy = try await zerokie.deployApp(input: DeployApp(name: "my-app", image: "nginx:1.27"))
        XCTAssertEqual(deploy.image, "nginx:1.27")
        XCTAssertEqual(deploy.status, .deploying)
        let redeploy = try await zerokie.deployApp(input: DeployApp(name: "my-app"))
        XCTAssertEqual(redeploy.image, "nginx:1.27", "no image re-pulls the current one")

        let listed = try await zerokie.listApps()
        XCTAssertEqual(listed.map(\.name), ["my-app"])

        try await zerokie.deleteApp(input: DeleteApp(name: "my-app"))
        let gone = try await expectFailure("not_found") { try await zerokie.getApp(input: GetApp(name: "my-app")) }
        XCTAssertEqual(gone.status, 404)
        XCTAssertEqual(gone.reason, "app not found")
        XCTAssertTrue(gone.requestId?.hasPrefix("req_") == true, "\(String(describing: gone.requestId))")
        _ = try await expectFailure("not_found") { try await zerokie.deleteApp(input: DeleteApp(name: "my-app")) }
    }

    func testAStaticDeployUnderALock() async throws {
        let zerokie = try sandbox.client()
        let site = try await zerokie.createApp(input: CreateApp(name: "my-site", kind: .`static`))
        XCTAssertEqual(site.kind, .`static`)
        XCTAssertNil(site.image)

        let session = newDeploySessionId()
        let lock = try await zerokie.acquireDeployLock(input: AcquireDeployLock(name: "my-site", deploySessionId: session))
        XCTAssertTrue(lock.locked)
        XCTAssertEqual(lock.deploySessionId, session)
        let extra = try parseJSON(lock.extra) as? [String: Any]
        XCTAssertNotNil(extra?["expires_at"] as? String, "fields zkit does not model are kept: \(lock.extra)")
        let rival = try await expectFailure("conflict") {
            try await zerokie.acquireDeployLock(input: AcquireDeployLock(name: "my-site", deploySessionId: newDeploySessionId()))
        }
        XCTAssertEqual(rival.status, 409)

        try await zerokie.uploadFile(input: UploadFile(name: "my-site", path: "index.html", content: Data("<h1>hi</h1>".utf8)))
        try await zerokie.uploadFile(input: UploadFile(name: "my-site", path: "assets/site v2.css", content: Data("h1{}".utf8)))
        try await zerokie.uploadFile(input: UploadFile(name: "my-site", path: "old.txt", content: Data([98, 121, 101])))
        try await zerokie.deleteFile(input: DeleteFile(name: "my-site", path: "old.txt"))
        _ = try await expectFailure("not_found") { try await zerokie.deleteFile(input: DeleteFile(name: "my-site", path: "old.txt")) }

        let files = try await zerokie.listFiles(input: ListFiles(name: "my-site"))
        XCTAssertEqual(files.map(\.path), ["assets/site v2.css", "index.html"])
        XCTAssertEqual(files.map(\.length), [4, 11])
        XCTAssertTrue(files.allSatisfy { !$0.lastModified.isEmpty })

        // The upload went out as raw bytes with a Content-Type from the extension.
        let journal = try await sandbox.journal()
        let css = try XCTUnwrap(journal.first { $0["method"] as? String == "PUT" && ($0["path"] as? String)?.hasSuffix(".css") == true })
        XCTAssertEqual(css["path"] as? String, "/zerokie/v1/apps/my-site/files/assets/site%20v2.css")
        XCTAssertEqual(css.header("content-type"), "text/css; charset=utf-8")
        XCTAssertEqual(css["body_len"] as? Int, 4)

        // 29 minutes in, a heartbeat keeps the lock for another 30.
        try await sandbox.advanceClock(29 * 60)
        let renewed = try await zerokie.renewDeployLock(input: RenewDeployLock(name: "my-site", deploySessionId: session))
        XCTAssertEqual(renewed?.locked, true)
        try await sandbox.advanceClock(29 * 60)
        let done = try await zerokie.finalizeDeploy(
            input: FinalizeDeploy(name: "my-site", deploySessionId: session, filesUploaded: 2, filesDeleted: 1, totalBytes: 15)
        )
        XCTAssertTrue(done.cachePurged)
        XCTAssertTrue(done.deployId.hasPrefix("d-"), done.deployId)
        XCTAssertFalse(done.timestamp.isEmpty)
        XCTAssertEqual(done.summary, DeploySummary(filesUploaded: 2, filesDeleted: 1, totalBytes: 15))

        // Finalize released the lock; without a heartbeat the next one expires after 30 minutes.
        let following = newDeploySessionId()
        _ = try await zerokie.acquireDeployLock(input: AcquireDeployLock(name: "my-site", deploySessionId: following))
        try await sandbox.advanceClock(31 * 60)
        _ = try await expectFailure("conflict") {
            try await zerokie.renewDeployLock(input: RenewDeployLock(name: "my-site", deploySessionId: following))
        }
        _ = try await zerokie.acquireDeployLock(input: AcquireDeployLock(name: "my-site", deploySessionId: newDeploySessionId()))
    }

    func testASiteDeploysInOneCallAndStreamsItsEvents() async throws {
        let zerokie = try sandbox.client()
        _ = try await zerokie.createApp(input: CreateApp(name: "my-site", kind: .`static`))
        let files = DeploySource.files(files: [
            SiteEntry(path: "index.html", content: Data("<h1>hi</h1>".utf8)),
            SiteEntry(path: "assets/site v2.css", content: Data("h1{}".utf8)),
        ])
        var events: [DeployEvent] = []
        for try await event in zerokie.deploySiteEvents(app: "my-site", source: files) {
            events.append(event)
        }
        guard case .planned(let uploads, let bytes, _, _, _) = events.first, case .done(let report) = events.last else {
            return XCTFail("from planned to done: \(events)")
        }
        XCTAssertEqual([uploads, bytes], [2, 15])
        XCTAssertEqual(report.filesUploaded, 2)
        XCTAssertTrue(report.deployId?.hasPrefix("d-") == true)

        let again = try await zerokie.deploySite(app: "my-site", source: files)
        XCTAssertEqual([again.filesUploaded, again.filesUnchanged], [0, 2], "an unchanged site uploads nothing")

        _ = try await zerokie.createApp(input: CreateApp(name: "web", image: "nginx:alpine"))
        let late = try await expectFailure("timeout") {
            _ = try await zerokie.waitUntilAppRunning(name: "web", wait: WaitSettings(timeoutMs: 200, firstDelayMs: 50, maxDelayMs: 50))
        }
        XCTAssertTrue(late.details?.contains("deploying") == true)
    }

    func testAnExplicitContentTypeIsSentAsGiven() async throws {
        let zerokie = try sandbox.client()
        _ = try await zerokie.createApp(input: CreateApp(name: "site", kind: .`static`))
        try await zerokie.uploadFile(input: UploadFile(name: "site", path: "data", content: Data("{}".utf8), contentType: "application/json"))
        try await zerokie.uploadFile(input: UploadFile(name: "site", path: "empty.txt", content: Data()))
        let puts = try await sandbox.journal().filter { $0["method"] as? String == "PUT" }
        XCTAssertEqual(puts[0].header("content-type"), "application/json")
        XCTAssertEqual(puts[1]["body_len"] as? Int, 0)
        let files = try await zerokie.listFiles(input: ListFiles(name: "site"))
        XCTAssertEqual(files.map(\.path), ["data", "empty.txt"])
        XCTAssertEqual(files.map(\.length), [2, 0])
    }

    func testCustomDomainsOnAStaticApp() async throws {
        let zerokie = try sandbox.client()
        _ = try await zerokie.createApp(input: CreateApp(name: "my-site", kind: .`static`))
        let domain = try await zerokie.addDomain(input: AddDomain(name: "my-site", domain: "www.example.com"))
        XCTAssertEqual(domain.domain, "www.example.com")
        XCTAssertEqual(domain.cnameTarget, "my-site.platform-dev.zerokie.com")
        XCTAssertEqual(domain.tlsStatus, .pending)
        _ = try await expectFailure("conflict") { try await zerokie.addDomain(input: AddDomain(name: "my-site", domain: "www.example.com")) }
        try await zerokie.removeDomain(input: RemoveDomain(name: "my-site", domain: "www.example.com"))
        _ = try await expectFailure("not_found") { try await zerokie.removeDomain(input: RemoveDomain(name: "my-site", domain: "www.example.com")) }
    }

    func testFilesAndDomainsBelongToStaticApps() async throws {
        let zerokie = try sandbox.client()
        _ = try await zerokie.createApp(input: CreateApp(name: "api", image: "nginx"))
        let files = try await expectFailure("bad_request") { try await zerokie.listFiles(input: ListFiles(name: "api")) }
        XCTAssertEqual(files.status, 400)
        XCTAssertEqual(files.reason, "app is not a static app")
        _ = try await expectFailure("bad_request") { try await zerokie.addDomain(input: AddDomain(name: "api", domain: "www.example.com")) }
    }

    func testPrivateRegistryCredentialsDeployAndThePasswordNeverPrints() async throws {
        let zerokie = try sandbox.client()
        let auth = RegistryAuth(username: "deployer", password: SecretString("glpat-s3cret-registry-token"), serverAddress: "registry.example.com")
        _ = try await zerokie.createApp(input: CreateApp(name: "private", image: "registry.example.com/app:v1", registryAuth: auth))
        let deploy = try await zerokie.deployApp(input: DeployApp(name: "private", image: "registry.example.com/app:v2", registryAuth: auth))
        XCTAssertEqual(deploy.image, "registry.example.com/app:v2")
        for text in [String(describing: auth), String(reflecting: auth), String(describing: CreateApp(name: "x", registryAuth: auth)), String(describing: auth.password!)] {
            XCTAssertFalse(text.contains("s3cret"), "the password leaked into \(text)")
        }
        XCTAssertEqual(auth.password?.description, "SecretString(glpa…oken)")
        XCTAssertEqual(SecretString("short").description, "SecretString(…)")
        XCTAssertEqual(auth.password?.value, "glpat-s3cret-registry-token")
        let journal = try writeJSON(try await sandbox.journal())
        XCTAssertFalse(journal.contains("s3cret"), "the password leaked into the journal")
    }

    func testUnknownFieldsAndUnknownEnumValuesAreKept() async throws {
        try await sandbox.fault([
            "method": "GET", "path": "\(appsPath)/future", "status": 200,
            "body": ["name": "future", "type": "edge", "status": "hibernating", "region": "eu-1", "tags": ["a"]] as [String: Any],
        ])
        let zerokie = try sandbox.client()
        let app = try await zerokie.getApp(input: GetApp(name: "future"))
        XCTAssertEqual(app.kind, .unknown("edge"))
        XCTAssertEqual(app.status, .unknown("hibernating"))
        let extra = try XCTUnwrap(try parseJSON(app.extra) as? [String: Any])
        XCTAssertTrue(matches(["region": "eu-1", "tags": ["a"]] as [String: Any], extra) && extra.count == 2, "\(extra)")
        let plain = try await zerokie.createApp(input: CreateApp(name: "plain", kind: .`static`))
        XCTAssertEqual((try parseJSON(plain.extra) as? [String: Any])?.count, 0)
    }

    func testRecordsAreValueTypes() {
        let input = CreateApp(name: "web", image: "nginx", port: 8080, env: ["A": "1"])
        XCTAssertEqual(input, CreateApp(name: "web", image: "nginx", port: 8080, env: ["A": "1"]))
        var changed = input
        changed.port = 80
        XCTAssertNotEqual(input, changed, "a copy changes alone")
        XCTAssertEqual(input.port, 8080)
        XCTAssertEqual(Set([input, input]).count, 1, "hashable")
        XCTAssertEqual(AppStatus.unknown("x"), AppStatus.unknown("x"))
    }

    func testCallJsonReachesEveryOperationByName() async throws {
        let zerokie = try sandbox.client()
        let empty = try parseJSON(try await zerokie.callJson(operation: "list_apps", input: "{}")) as? [Any]
        XCTAssertEqual(empty?.count, 0)
        let created = try parseJSON(try await zerokie.callJson(operation: "create_app", input: #"{"name": "site", "type": "static"}"#, call: CallSettings(maxRetries: 5)))
        XCTAssertTrue(matches(["name": "site", "type": "static", "status": "deploying"], created), "\(created)")
        let fetched = try parseJSON(try await zerokie.callJson(operation: "get_app", input: #"{"name": "site"}"#)) as? [String: Any]
        XCTAssertEqual(fetched?["type"] as? String, "static")
        let nothing = try parseJSON(try await zerokie.callJson(operation: "upload_file", input: #"{"name": "site", "path": "a.txt", "content": "hi"}"#))
        XCTAssertTrue(nothing is NSNull)
        let files = try parseJSON(try await zerokie.callJson(operation: "list_files", input: #"{"name": "site"}"#)) as? [[String: Any]]
        XCTAssertEqual(files?.compactMap { $0["path"] as? String }, ["a.txt"])
        let unknown = try await expectFailure("invalid_input") { try await zerokie.callJson(operation: "launch_rocket", input: "{}") }
        XCTAssertEqual(unknown.field, "operation")
        let missing = try await expectFailure("invalid_input") { try await zerokie.callJson(operation: "get_app", input: "{}") }
        XCTAssertEqual(missing.field, "name")
        let broken = try await expectFailure("invalid_input") { try await zerokie.callJson(operation: "get_app", input: #"{"name": "#) }
        XCTAssertEqual(broken.field, "input")
    }

    func testEveryOperationOfTheCoreTableHasATypedAsyncMethod() throws {
        let table = try String(contentsOf: repoRoot.appendingPathComponent("core/src/zerokie/mod.rs"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"^\s*([a-z_]+)\(\s*\$crate::zerokie::"#, options: [.anchorsMatchLines])
        let operations = pattern.matches(in: table, range: NSRange(table.startIndex..., in: table)).compactMap {
            Range($0.range(at: 1), in: table).map { String(table[$0]) }
        }
        XCTAssertEqual(operations.count, 13, "\(operations)")
        // One typed method per operation: the compiler checks each exists with these types.
        let zerokie = try sandbox.client()
        let methods: [String: Any] = [
            "create_app": zerokie.createApp(input:call:) as (CreateApp, CallSettings?) async throws -> App,
            "list_apps": zerokie.listApps(call:) as (CallSettings?) async throws -> [App],
            "get_app": zerokie.getApp(input:call:) as (GetApp, CallSettings?) async throws -> App,
            "delete_app": zerokie.deleteApp(input:call:) as (DeleteApp, CallSettings?) async throws -> Void,
            "deploy_app": zerokie.deployApp(input:call:) as (DeployApp, CallSettings?) async throws -> Deploy,
            "list_files": zerokie.listFiles(input:call:) as (ListFiles, CallSettings?) async throws -> [FileEntry],
            "upload_file": zerokie.uploadFile(input:call:) as (UploadFile, CallSettings?) async throws -> Void,
            "delete_file": zerokie.deleteFile(input:call:) as (DeleteFile, CallSettings?) async throws -> Void,
            "acquire_deploy_lock": zerokie.acquireDeployLock(input:call:) as (AcquireDeployLock, CallSettings?) async throws -> DeployLock,
            "renew_deploy_lock": zerokie.renewDeployLock(input:call:) as (RenewDeployLock, CallSettings?) async throws -> DeployLock?,
            "finalize_deploy": zerokie.finalizeDeploy(input:call:) as (FinalizeDeploy, CallSettings?) async throws -> FinalizedDeploy,
            "add_domain": zerokie.addDomain(input:call:) as (AddDomain, CallSettings?) async throws -> Domain,
            "remove_domain": zerokie.removeDomain(input:call:) as (RemoveDomain, CallSettings?) async throws -> Void,
        ]
        XCTAssertEqual(Set(operations), Set(methods.keys))
    }

    func testNewDeploySessionIdsAreDistinctVersion4UUIDs() throws {
        let ids = (0..<200).map { _ in newDeploySessionId() }
        let v4 = try NSRegularExpression(pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        for id in ids {
            XCTAssertEqual(v4.numberOfMatches(in: id, range: NSRange(id.startIndex..., in: id)), 1, id)
        }
        XCTAssertEqual(Set(ids).count, ids.count)
    }
}

// MARK: - Every kind of failure

final class ErrorTests: SandboxTestCase {
    func testEveryStatusIsItsCase() async throws {
        let statuses: [(Int, String, Bool)] = [
            (400, "bad_request", false), (401, "unauthorized", false), (402, "payment_required", false),
            (403, "forbidden", false), (404, "not_found", false), (409, "conflict", false), (429, "rate_limited", true),
            (500, "server", true), (502, "upstream", true), (503, "server", true),
        ]
        for (status, kind, retryable) in statuses {
            try await sandbox.reset()
            try await sandbox.fault(["method": "GET", "path": appsPath, "status": status, "body": ["error": "refused with \(status)"]])
            let zerokie = try sandbox.client()
            let error = try await expectError("HTTP \(status)") { try await zerokie.listApps(call: CallSettings(maxRetries: 0)) }
            let facts = error.facts
            XCTAssertEqual(facts.kind, kind, "HTTP \(status)")
            XCTAssertEqual(facts.status, UInt16(status))
            XCTAssertEqual(facts.reason, "refused with \(status)")
            XCTAssertTrue(facts.requestId?.hasPrefix("req_") == true, "\(facts)")
            XCTAssertEqual(facts.retryable, retryable, "HTTP \(status)")
            XCTAssertNil(facts.field)
            XCTAssertNil(facts.code)
            XCTAssertNil(facts.retryAfterSeconds)
            XCTAssertTrue((error as Error).localizedDescription.contains("refused with \(status)"), error.localizedDescription)
            let journal = try await sandbox.journal()
            XCTAssertEqual(journal.count, 1, "maxRetries 0 makes one attempt")
        }
    }

    func testTheSandboxsOwnFailures() async throws {
        let zerokie = try sandbox.client()
        _ = try await zerokie.createApp(input: CreateApp(name: "api", image: "nginx"))
        let files = try await expectFailure("bad_request") { try await zerokie.listFiles(input: ListFiles(name: "api")) }
        XCTAssertEqual(files.status, 400)
        XCTAssertEqual(files.reason, "app is not a static app")
        let missing = try await expectFailure("not_found") { try await zerokie.getApp(input: GetApp(name: "nowhere")) }
        XCTAssertEqual(missing.reason, "app not found")
        let duplicate = try await expectFailure("conflict") { try await zerokie.createApp(input: CreateApp(name: "api", image: "nginx")) }
        XCTAssertEqual(duplicate.reason, "app name already exists")
        XCTAssertNotNil(duplicate.requestId)
        let stranger = try sandbox.client(key: wrongKey)
        let unauthorized = try await expectFailure("unauthorized") { try await stranger.listApps() }
        XCTAssertEqual(unauthorized.status, 401)
        XCTAssertEqual(unauthorized.reason, "missing or invalid API key")
    }

    func testAWrongKeyIsUnauthorizedAndNeverEchoed() async throws {
        let key = "zrk_wrong_key_that_must_stay_secret"
        let zerokie = try sandbox.client(key: key)
        let error = try await expectError { try await zerokie.listApps() }
        XCTAssertEqual(error.facts.kind, "unauthorized")
        XCTAssertFalse(error.facts.retryable)
        let texts = [String(describing: error), String(reflecting: error), error.localizedDescription, "\(error.facts)", zerokie.describe(), String(describing: zerokie)]
        for text in texts {
            XCTAssertFalse(text.contains(key), "the key leaked into \(text)")
        }
        XCTAssertTrue(zerokie.describe().contains("zrk_…cret"), zerokie.describe())
        let journal = try writeJSON(try await sandbox.journal())
        XCTAssertFalse(journal.contains(key), "the key leaked into the journal")
    }

    func testRetryAfterIsHonouredAndTheRetrySucceeds() async throws {
        try await sandbox.fault(["method": "GET", "path": appsPath, "status": 429, "retry_after": "1"])
        let zerokie = try sandbox.client()
        let started = Date()
        let apps = try await zerokie.listApps()
        XCTAssertEqual(apps, [])
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "the client waited the second it was asked to")
        let statuses = try await sandbox.journal().map(\.status)
        XCTAssertEqual(statuses, [429, 200])
    }

    func testRateLimitedBeyondSixtySecondsCarriesRetryAfter() async throws {
        try await sandbox.fault(["method": "GET", "path": appsPath, "status": 429, "retry_after": "3600"])
        let zerokie = try sandbox.client()
        let error = try await expectFailure("rate_limited") { try await zerokie.listApps() }
        XCTAssertEqual(error.status, 429)
        XCTAssertEqual(error.retryAfterSeconds, 3600)
        XCTAssertTrue(error.retryable)
        let sent = try await sandbox.journal().count
        XCTAssertEqual(sent, 1, "a wait past 60 s is not waited for")
    }

    func testRetriesByDefaultPerCallAndPerClient() async throws {
        try await sandbox.fault(["method": "GET", "path": appsPath, "status": 503, "times": 2])
        let zerokie = try sandbox.client()
        let apps = try await zerokie.listApps()
        XCTAssertEqual(apps, [], "the third attempt succeeds")
        let statuses = try await sandbox.journal().map(\.status)
        XCTAssertEqual(statuses, [503, 503, 200])

        try await sandbox.reset()
        try await sandbox.fault(["method": "GET", "path": appsPath, "status": 503, "times": 2])
        _ = try await expectFailure("server") { try await zerokie.listApps(call: CallSettings(maxRetries: 0)) }
        let perCall = try await sandbox.journal().count
        XCTAssertEqual(perCall, 1, "per call")
        let once = try sandbox.client { $0.maxRetries = 0 }
        _ = try await expectFailure("server") { try await once.listApps() }
        let perClient = try await sandbox.journal().count
        XCTAssertEqual(perClient, 2, "per client")
        let afterwards = try await once.listApps()
        XCTAssertEqual(afterwards, [], "the fault is spent")
    }

    func testANonIdempotentCallIsRetriedOnlyWithAnIdempotencyKey() async throws {
        try await sandbox.fault(["method": "POST", "path": appsPath, "status": 503])
        let zerokie = try sandbox.client()
        _ = try await expectFailure("server") { try await zerokie.createApp(input: CreateApp(name: "site", kind: .`static`)) }
        let sent = try await sandbox.journal().count
        XCTAssertEqual(sent, 1, "not retried")
        try await sandbox.fault(["method": "POST", "path": appsPath, "status": 503])
        let app = try await zerokie.createApp(input: CreateApp(name: "site", kind: .`static`), call: CallSettings(idempotencyKey: "create-site-1"))
        XCTAssertEqual(app.name, "site")
        let posts = try await sandbox.journal().dropFirst()
        XCTAssertEqual(posts.map(\.status), [503, 201])
        XCTAssertTrue(posts.allSatisfy { $0.header("idempotency-key") == "create-site-1" })
    }

    func testTimeoutPerCall() async throws {
        try await sandbox.fault(["method": "GET", "path": appsPath, "kind": "delay", "delay_ms": 1000])
        let zerokie = try sandbox.client()
        let started = Date()
        let error = try await expectFailure("timeout") { try await zerokie.listApps(call: CallSettings(maxRetries: 0, timeoutMs: 100)) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.9, "the call did not wait for the slow answer")
        XCTAssertNil(error.status)
        XCTAssertTrue(error.retryable)
        XCTAssertFalse(error.reason.isEmpty)
    }

    func testDeadlinePerCallAndTimeLimitsPerClient() async throws {
        try await sandbox.fault(["method": "GET", "path": appsPath, "kind": "delay", "delay_ms": 1000, "times": 2])
        let unlimited = try sandbox.client { $0.noTimeLimits = true }
        _ = try await expectFailure("timeout") { try await unlimited.listApps(call: CallSettings(deadlineMs: 100)) }
        let impatient = try sandbox.client { $0.timeoutMs = 100; $0.maxRetries = 0 }
        _ = try await expectFailure("timeout") { try await impatient.listApps() }
        let patient = try sandbox.client { $0.deadlineMs = 2000 }
        try await sandbox.fault(["method": "GET", "path": appsPath, "kind": "delay", "delay_ms": 200])
        let apps = try await patient.listApps()
        XCTAssertEqual(apps, [], "within the limits")
    }

    func testARefusedConnectionIsConnection() async throws {
        // Nothing listens on port 1 of the loopback interface.
        let zerokie = try Zerokie(apiKey: sandboxKey, settings: ClientSettings(baseUrl: "http://127.0.0.1:1/zerokie", maxRetries: 0))
        let error = try await expectFailure("connection") { try await zerokie.listApps() }
        XCTAssertNil(error.status)
        XCTAssertTrue(error.retryable)
    }

    func testAResetConnectionIsRetriedAndIsConnectionWhenItIsNot() async throws {
        try await sandbox.fault(["method": "GET", "path": appsPath, "kind": "reset"])
        let zerokie = try sandbox.client()
        let apps = try await zerokie.listApps()
        XCTAssertEqual(apps, [], "retried")
        let sent = try await sandbox.journal().count
        XCTAssertEqual(sent, 2)
        try await sandbox.fault(["method": "GET", "path": appsPath, "kind": "reset"])
        _ = try await expectFailure("connection") { try await zerokie.listApps(call: CallSettings(maxRetries: 0)) }
    }

    func testAMalformedOrTruncatedBodyIsDecodeNotRetried() async throws {
        try await sandbox.fault(["method": "GET", "path": appsPath, "kind": "malformed"])
        let zerokie = try sandbox.client()
        let error = try await expectFailure("decode") { try await zerokie.listApps() }
        XCTAssertEqual(error.status, 200)
        XCTAssertFalse(error.retryable)
        XCTAssertTrue(error.reason.hasPrefix("response body: "), error.reason)
        let sent = try await sandbox.journal().count
        XCTAssertEqual(sent, 1, "a body that cannot be read is not retried")
        try await sandbox.fault(["method": "GET", "path": "\(appsPath)/cut", "kind": "truncated"])
        let cut = try await expectError { try await zerokie.getApp(input: GetApp(name: "cut"), call: CallSettings(maxRetries: 0)) }
        XCTAssertTrue(["decode", "connection"].contains(cut.facts.kind), "\(cut)")
    }

    func testInvalidInputIsRefusedBeforeSendingNamingTheField() async throws {
        let zerokie = try sandbox.client()
        let error = try await expectFailure("invalid_input") { try await zerokie.addDomain(input: AddDomain(name: "my-site", domain: "example.com")) }
        XCTAssertEqual(error.field, "domain")
        XCTAssertNil(error.status)
        XCTAssertNil(error.requestId)
        XCTAssertTrue(error.reason.hasPrefix("domain: "), error.reason)
        XCTAssertFalse(error.retryable)
        let sent = try await sandbox.journal().count
        XCTAssertEqual(sent, 0, "nothing was sent")
    }

    func testEveryRefusalOfTheCoreThroughTheTypedMethodsAndCallJson() async throws {
        let zerokie = try sandbox.client()
        let session = newDeploySessionId()
        let typed: [(String, () async throws -> Void)] = [
            ("domain", { _ = try await zerokie.addDomain(input: AddDomain(name: "my-site", domain: "example.com")) }),
            ("domain", { try await zerokie.removeDomain(input: RemoveDomain(name: "my-site", domain: "example.com")) }),
            ("path", { try await zerokie.uploadFile(input: UploadFile(name: "my-site", path: "../x.html", content: Data())) }),
            ("path", { try await zerokie.uploadFile(input: UploadFile(name: "my-site", path: "/x.html", content: Data())) }),
            ("path", { try await zerokie.uploadFile(input: UploadFile(name: "my-site", path: "a\\x.html", content: Data())) }),
            ("path", { try await zerokie.deleteFile(input: DeleteFile(name: "my-site", path: "a//x.html")) }),
            ("deploy_session_id", { _ = try await zerokie.acquireDeployLock(input: AcquireDeployLock(name: "my-site", deploySessionId: "lock-1")) }),
            ("name", { _ = try await zerokie.renewDeployLock(input: RenewDeployLock(name: "", deploySessionId: session)) }),
            ("name", { _ = try await zerokie.createApp(input: CreateApp(name: "", image: "nginx")) }),
            ("name", { _ = try await zerokie.createApp(input: CreateApp(name: "Not_A_Label", kind: .`static`)) }),
            ("image", { _ = try await zerokie.createApp(input: CreateApp(name: "web")) }),
            ("content_type", { try await zerokie.uploadFile(input: UploadFile(name: "my-site", path: "x.html", content: Data(), contentType: "text/html\r\nX-Evil: 1")) }),
            ("name", { _ = try await zerokie.getApp(input: GetApp(name: "")) }),
            ("name", { _ = try await zerokie.deployApp(input: DeployApp(name: "")) }),
            ("name", { _ = try await zerokie.listFiles(input: ListFiles(name: "")) }),
        ]
        for (field, call) in typed {
            let error = try await expectFailure("invalid_input", "refusal of \(field)", call)
            XCTAssertEqual(error.field, field, error.reason)
            XCTAssertTrue(error.reason.hasPrefix("\(field): "), error.reason)
            XCTAssertNil(error.status)
            XCTAssertFalse(error.retryable)
        }
        let dynamic: [(String, String, String)] = [
            ("create_app", #"{"name": "web", "image": "nginx", "port": "eighty"}"#, "port"),
            ("get_app", "{}", "name"),
            ("upload_file", #"{"name": "my-site", "path": "../etc/passwd", "content": "x"}"#, "path"),
            ("finalize_deploy", #"{"name": "my-site", "deploy_session_id": "x", "files_uploaded": 1, "files_deleted": 0, "total_bytes": 1}"#, "deploy_session_id"),
        ]
        for (operation, input, field) in dynamic {
            let error = try await expectFailure("invalid_input", "\(operation) \(input)") { try await zerokie.callJson(operation: operation, input: input) }
            XCTAssertEqual(error.field, field, "\(operation): \(error.reason)")
        }
        let sent = try await sandbox.journal().count
        XCTAssertEqual(sent, 0, "nothing was sent")
    }

    func testSettingsAreCheckedWhenTheClientIsMade() throws {
        func refusal(_ key: String?, _ settings: ClientSettings) -> Facts? {
            do {
                _ = try Zerokie(apiKey: key, settings: settings)
                return nil
            } catch {
                return (error as? ZkitError)?.facts
            }
        }
        XCTAssertEqual(refusal(sandboxKey, ClientSettings(baseUrl: "not a url"))?.field, "base_url")
        let header = refusal("zrk_key\r\nX-Evil: 1", ClientSettings(baseUrl: sandbox.zerokieURL))
        XCTAssertEqual(header?.field, "api_key")
        XCTAssertFalse("\(String(describing: header))".contains("X-Evil"), "the refused key was echoed")
        XCTAssertEqual(refusal("", ClientSettings(baseUrl: sandbox.zerokieURL))?.field, "api_key")
        if ProcessInfo.processInfo.environment["ZEROKIE_API_KEY"] == nil {
            let missing = refusal(nil, ClientSettings(baseUrl: sandbox.zerokieURL))
            XCTAssertEqual(missing?.field, "api_key")
            XCTAssertTrue(missing?.reason.contains("ZEROKIE_API_KEY") == true, "\(String(describing: missing))")
        }
    }

    func testExtremeTimeLimitsNeverCrashTheProcess() async throws {
        let zerokie = try sandbox.client()
        do {
            let apps = try await zerokie.listApps(call: CallSettings(maxRetries: .max, timeoutMs: .max, deadlineMs: .max))
            XCTAssertEqual(apps, [])
        } catch let error as ZkitError {
            // A refusal (or a panic caught at the boundary) is fine; a crash is not.
            XCTAssertTrue(["invalid_input", "internal"].contains(error.facts.kind), "\(error)")
        }
        let unlimited = try Zerokie(apiKey: sandboxKey, settings: ClientSettings(baseUrl: sandbox.zerokieURL, timeoutMs: .max, deadlineMs: .max))
        let apps = try await unlimited.listApps()
        XCTAssertEqual(apps, [])
    }

    func testOneCasePerKindEachAnError() {
        func make(_ build: (String, UInt16?, String?, String?, Double?, String?, String?, Bool) -> ZkitError) -> ZkitError {
            build("why", nil, nil, nil, nil, nil, nil, false)
        }
        let errors: [ZkitError] = [
            make(ZkitError.BadRequest), make(ZkitError.Unauthorized), make(ZkitError.PaymentRequired), make(ZkitError.Forbidden),
            make(ZkitError.NotFound), make(ZkitError.Conflict), make(ZkitError.RateLimited), make(ZkitError.Server),
            make(ZkitError.Upstream), make(ZkitError.Redirect), make(ZkitError.Timeout), make(ZkitError.Connection),
            make(ZkitError.Decode), make(ZkitError.InvalidInput), make(ZkitError.Internal),
        ]
        XCTAssertEqual(Set(errors.map(\.facts.kind)).count, 15)
        for error in errors {
            XCTAssertTrue((error as Error).localizedDescription.contains("why"), error.localizedDescription)
        }
    }
}

// MARK: - The client itself

final class ClientTests: SandboxTestCase {
    func testDescribeShowsTheBaseURLAndAPreviewOfTheKeyNeverTheKey() throws {
        let key = "zrk_a_key_that_is_long_enough_1234"
        let zerokie = try sandbox.client(key: key)
        XCTAssertEqual(zerokie.describe(), "Zerokie(baseUrl=\(sandbox.zerokieURL), apiKey=zrk_…1234)")
        XCTAssertFalse(String(describing: zerokie).contains(key))
        XCTAssertFalse(String(reflecting: zerokie).contains(key))
    }

    func testSettingsFromTheEnvironmentAndArgumentsWinOverIt() async throws {
        let saved = ["ZEROKIE_API_KEY", "ZEROKIE_BASE_URL"].map { ($0, ProcessInfo.processInfo.environment[$0]) }
        defer {
            for (name, value) in saved {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        setenv("ZEROKIE_API_KEY", sandboxKey, 1)
        setenv("ZEROKIE_BASE_URL", sandbox.zerokieURL, 1)
        let fromEnvironment = try Zerokie()
        XCTAssertEqual(fromEnvironment.describe(), "Zerokie(baseUrl=\(sandbox.zerokieURL), apiKey=zrk_…ffee)")
        _ = try await fromEnvironment.createApp(input: CreateApp(name: "from-env", kind: .`static`))
        setenv("ZEROKIE_API_KEY", wrongKey, 1)
        let explicit = try await Zerokie(apiKey: sandboxKey).listApps()
        XCTAssertEqual(explicit.map(\.name), ["from-env"], "an explicit key wins")
        let wrong = try Zerokie()
        _ = try await expectFailure("unauthorized") { try await wrong.listApps() }
    }

    func testPerCallSettingsReachTheRequestAndTheKeyOnlyAsAPreview() async throws {
        let zerokie = try sandbox.client()
        _ = try await zerokie.createApp(
            input: CreateApp(name: "once", kind: .`static`),
            call: CallSettings(maxRetries: 1, timeoutMs: 10_000, deadlineMs: 30_000, idempotencyKey: "create-once-1")
        )
        let journal = try await sandbox.journal()
        XCTAssertEqual(journal.count, 1)
        XCTAssertEqual(journal[0].header("idempotency-key"), "create-once-1")
        XCTAssertEqual(journal[0].header("authorization"), "Bearer zrk_…ffee")
        XCTAssertTrue(journal[0].header("user-agent")?.hasPrefix("zkit-mobile/") == true)
    }

    func testClientSettingsNoRateLimitNoTimeLimits() async throws {
        let zerokie = try sandbox.client { $0.rateLimit = false; $0.noTimeLimits = true; $0.maxRetries = 1 }
        try await sandbox.fault(["method": "GET", "path": appsPath, "kind": "delay", "delay_ms": 100])
        let apps = try await zerokie.listApps()
        XCTAssertEqual(apps, [])
    }

    func testConcurrentTasksShareOneClient() async throws {
        let zerokie = try sandbox.client()
        let created = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<16 {
                group.addTask { try await zerokie.createApp(input: CreateApp(name: "site-\(i)", kind: .`static`)).name }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        XCTAssertEqual(created.sorted(), (0..<16).map { "site-\($0)" }.sorted())
        let count = try await zerokie.listApps().count
        XCTAssertEqual(count, 16)
    }

    func testDetachedTasksOnOtherThreadsShareOneClient() async throws {
        let zerokie = try sandbox.client()
        let tasks = (0..<16).map { i in
            Task.detached(priority: i % 2 == 0 ? .background : .userInitiated) {
                try await zerokie.createApp(input: CreateApp(name: "thread-\(i)", kind: .`static`)).name
            }
        }
        var names: [String] = []
        for task in tasks {
            names.append(try await task.value)
        }
        XCTAssertEqual(names, (0..<16).map { "thread-\($0)" })
        // A thread of its own, with no Swift concurrency around it but a semaphore.
        let seen = LockedBox(-1)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            Task {
                seen.set((try? await zerokie.listApps().count) ?? -2)
                finished.signal()
            }
        }.start()
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(seen.get(), 16)
    }

    func testAWaitingCallLeavesOtherCallsFree() async throws {
        try await sandbox.fault(["method": "GET", "path": "\(appsPath)/slow", "kind": "delay", "delay_ms": 1000])
        let zerokie = try sandbox.client()
        let slowDone = LockedBox(false)
        let slow = Task { () -> Result<App, Error> in
            defer { slowDone.set(true) }
            do { return .success(try await zerokie.getApp(input: GetApp(name: "slow"))) } catch { return .failure(error) }
        }
        try await sandbox.arrived("/slow")
        let apps = try await zerokie.listApps()
        XCTAssertEqual(apps, [], "the quick call")
        XCTAssertFalse(slowDone.get(), "the quick call finished after the slow one")
        let outcome = await slow.value
        guard case .failure(let error) = outcome else { return XCTFail("no app named slow exists") }
        XCTAssertEqual((error as? ZkitError)?.facts.kind, "not_found")
    }

    func testCancellingATaskLeavesTheClientUsableAndDeadlinesEndCalls() async throws {
        try await sandbox.fault(["method": "GET", "path": "\(appsPath)/slow", "kind": "delay", "delay_ms": 500])
        let zerokie = try sandbox.client()
        let task = Task { try await zerokie.getApp(input: GetApp(name: "slow")) }
        try await sandbox.arrived("/slow")
        task.cancel()
        // uniffi's Swift bindings do not end a call when its Task is cancelled (Kotlin's do): the call
        // runs to its own end. Either outcome leaves the client usable.
        let outcome = await task.result
        switch outcome {
        case .success(let app):
            XCTFail("no app named slow exists: \(app)")
        case .failure(let error):
            XCTAssertTrue(error is CancellationError || (error as? ZkitError)?.facts.kind == "not_found", "\(error)")
        }
        let apps = try await zerokie.listApps()
        XCTAssertEqual(apps, [], "the client still works")
        // What bounds a call from Swift is its deadline.
        try await sandbox.fault(["method": "GET", "path": "\(appsPath)/slower", "kind": "delay", "delay_ms": 2000])
        let started = Date()
        _ = try await expectFailure("timeout") { try await zerokie.getApp(input: GetApp(name: "slower"), call: CallSettings(deadlineMs: 100)) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
    }

    func testAClientReleasedWhileACallWaitsLetsTheCallFinish() async throws {
        try await sandbox.fault(["method": "GET", "path": "\(appsPath)/slow", "kind": "delay", "delay_ms": 300])
        var zerokie: Zerokie? = try sandbox.client()
        let slow = Task { [zerokie] in try await zerokie!.getApp(input: GetApp(name: "slow")) }
        try await sandbox.arrived("/slow")
        zerokie = nil
        let outcome = await slow.result
        switch outcome {
        case .success(let app): XCTFail("no app named slow exists: \(app)")
        case .failure(let error): XCTAssertEqual((error as? ZkitError)?.facts.kind, "not_found", "\(error)")
        }
    }
}

/// A value shared between threads, behind a lock.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T

    init(_ value: T) { self.value = value }

    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }

    func set(_ newValue: T) { lock.lock(); defer { lock.unlock() }; value = newValue }
}

// MARK: - Zyra

extension Sandbox {
    var zyraURL: String { "\(url)/zyra/api/v1" }

    /// A Zyra client on this sandbox with `key` (the admin's when nil); `configure` changes the rest.
    func zyra(key: String? = nil, _ configure: (inout ClientSettings) -> Void = { _ in }) async throws -> Zyra {
        var settings = ClientSettings(baseUrl: zyraURL, jitterSeed: 7)
        configure(&settings)
        let resolved = try await credential("zyra", "admin_key", unless: key)
        return try Zyra(apiKey: resolved, settings: settings)
    }

    /// A Zyra client that logs in as the sandbox's admin, with `password` (the admin's when nil).
    func zyraLogin(password: String? = nil) async throws -> Zyra {
        let email = try await credential("zyra", "admin_email")
        let resolved = try await credential("zyra", "admin_password", unless: password)
        return try Zyra(settings: ClientSettings(baseUrl: zyraURL, jitterSeed: 7), email: email, password: resolved)
    }

    /// The Zyra requests the sandbox saw since the last reset, as "path status", without the base path.
    func zyraSeen() async throws -> [String] {
        try await journal().map { entry in
            let path = (entry["path"] as? String ?? "").replacingOccurrences(of: "/zyra/api/v1", with: "")
            return "\(path) \((entry["status"] as? NSNumber)?.intValue ?? 0)"
        }
    }
}

/// Zyra through the typed methods: page walks over more than 500 items, logins that renew themselves,
/// keys, roles, byte downloads and the per-class rate limits (the twin of the Kotlin ZyraTests).
final class ZyraTests: SandboxTestCase {
    func testAWalkGoesThroughMoreThan500DevicesLazilyAPageAtATime() async throws {
        let zyra = try await sandbox.zyra()
        let first = try await zyra.listDevices(input: ListDevices())
        XCTAssertEqual(first.offset, 0)
        XCTAssertEqual(first.limit, 50)
        XCTAssertEqual(first.items.count, 50)
        XCTAssertGreaterThan(first.total, 500)
        try await sandbox.reset()
        let walk = zyra.listDevicesPages(input: ListDevices(limit: 200))
        let before = try await sandbox.journal().count
        XCTAssertEqual(before, 0, "nothing fetched before a page is asked for")
        var devices: [Device] = []
        while let page = try await walk.nextPage() {
            devices += page.items
        }
        XCTAssertEqual(UInt64(devices.count), first.total, "every device")
        XCTAssertEqual(Set(devices.map { $0.id }).count, devices.count, "no device twice")
        let requests = try await sandbox.journal().count
        XCTAssertEqual(requests, 3, "one request a page")

        let capped = zyra.listDevicesPages(input: ListDevices(limit: 100), maxPages: 2)
        _ = try await capped.nextPage()
        _ = try await capped.nextPage()
        let stopped = try await expectFailure("decode") { try await capped.nextPage() }
        XCTAssertTrue(stopped.reason.contains("after 2 pages"), stopped.reason)
        let refused = try await expectFailure("invalid_input") { try await zyra.listDevices(input: ListDevices(limit: 201)) }
        XCTAssertEqual(refused.field, "limit")
    }

    func testALoginClientLogsInOnceAndAfterA401RefreshesOnceAndGoesAgain() async throws {
        let password = try await sandbox.credential("zyra", "admin_password")
        let zyra = try await sandbox.zyraLogin()
        XCTAssertFalse(zyra.describe().contains(password), zyra.describe())
        _ = try await zyra.getOrganization(input: GetOrganization(id: "org_sandbox"))
        _ = try await zyra.getOrganization(input: GetOrganization(id: "org_sandbox"))
        let once = try await sandbox.zyraSeen()
        XCTAssertEqual(once, ["/auth/login 200", "/organizations/org_sandbox 200", "/organizations/org_sandbox 200"], "one login")
        try await sandbox.advanceClock(901)
        _ = try await zyra.getOrganization(input: GetOrganization(id: "org_sandbox"))
        let renewed = try await sandbox.zyraSeen()
        XCTAssertEqual(Array(renewed.dropFirst(3)), ["/organizations/org_sandbox 401", "/auth/refresh 200", "/organizations/org_sandbox 200"], "renewed once")

        let wrong = try await sandbox.zyraLogin(password: "not-the-password")
        let error = try await expectError { try await wrong.getOrganization(input: GetOrganization(id: "org_sandbox")) }
        XCTAssertEqual(error.facts.kind, "unauthorized")
        XCTAssertEqual(error.facts.code, "invalid_credentials")
        XCTAssertFalse("\(error)".contains("not-the-password"), "\(error)")
    }

    func testKeysAreShownOnceListedByPrefixCappedAtTenAndRevokedAtOnce() async throws {
        let opsKey = try await sandbox.credential("zyra", "ops_key")
        let ops = try await sandbox.zyra(key: opsKey)
        let created = try await ops.createApiKey(input: CreateApiKey(name: "ci-deploy"))
        XCTAssertTrue(created.key.value.hasPrefix("zyra_sk_"))
        XCTAssertEqual(created.prefix, String(created.key.value.prefix(18)))
        XCTAssertFalse("\(created)".contains(created.key.value), "a new key prints as a preview")
        var listed: [ApiKey] = []
        let walk = ops.listApiKeysPages(input: ListApiKeys())
        while let page = try await walk.nextPage() {
            listed += page.items
        }
        XCTAssertTrue(listed.contains { $0.id == created.id && $0.prefix == created.prefix }, "\(listed)")
        let eleventh = try await expectFailure("conflict") { try await ops.createApiKey(input: CreateApiKey(name: "one-too-many")) }
        XCTAssertEqual(eleventh.code, "key_limit_reached")

        let fresh = try await sandbox.zyra(key: created.key.value)
        _ = try await fresh.getOrganization(input: GetOrganization(id: "org_sandbox"))
        _ = try await ops.revokeApiKey(input: RevokeApiKey(id: created.id))
        let revoked = try await expectFailure("unauthorized") { try await fresh.getOrganization(input: GetOrganization(id: "org_sandbox")) }
        XCTAssertEqual(revoked.code, "key_revoked")

        let memberKey = try await sandbox.credential("zyra", "member_key")
        let member = try await sandbox.zyra(key: memberKey)
        let denied = try await expectFailure("forbidden") { try await member.listInvoices(input: ListInvoices()) }
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(denied.code, "insufficient_role")
    }

    func testAnInvoicePdfArrivesAsBytes() async throws {
        let zyra = try await sandbox.zyra()
        let invoices = try await zyra.listInvoices(input: ListInvoices())
        let invoice = try XCTUnwrap(invoices.items.first)
        let pdf = try await zyra.downloadInvoicePdf(input: DownloadInvoicePdf(id: invoice.id))
        XCTAssertEqual(pdf.contentType, "application/pdf")
        let text = String(decoding: pdf.content, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("%PDF-"))
        XCTAssertTrue(text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("%%EOF"))
    }

    func testTheLimiterKeepsCreatesUnderFiveAMinuteAndUnpacedTheSixthIsA429() async throws {
        let hook = { (n: Int) in CreateWebhookEndpoint(url: "https://hooks.example.com/\(n)", events: ["job.succeeded"]) }
        let unpaced = try await sandbox.zyra { settings in
            settings.rateLimit = false
            settings.maxRetries = 0
        }
        for n in 0..<5 {
            _ = try await unpaced.createWebhookEndpoint(input: hook(n))
        }
        let limited = try await expectFailure("rate_limited") { try await unpaced.createWebhookEndpoint(input: hook(5)) }
        XCTAssertEqual(limited.code, "rate_limited")
        let wait = try XCTUnwrap(limited.retryAfterSeconds)
        XCTAssertTrue((1.0...12.0).contains(wait), "\(wait)")
        // Reads draw from their own budget.
        _ = try await unpaced.listWebhookEndpoints(input: ListWebhookEndpoints())

        try await sandbox.reset()
        let paced = try await sandbox.zyra()
        for _ in 0..<31 {
            _ = try await paced.getOrganization(input: GetOrganization(id: "org_sandbox"))
        }
        let statuses = try await sandbox.journal().map { ($0["status"] as? NSNumber)?.intValue }
        XCTAssertFalse(statuses.contains(429), "the 31st read waited for its slot")
    }
}

// MARK: - The cross-language scenarios

/// A client of any API, as the scenario runner uses it: its dynamic call. Every API object has it.
protocol CallsJson {
    func callJson(operation: String, input: String, call: CallSettings?) async throws -> String
}

extension Zerokie: CallsJson {}
extension Zenifra: CallsJson {}
extension Zenovay: CallsJson {}
extension Zyra: CallsJson {}

/// The scenario files in tests/scenarios/ through `callJson`, exactly as core/tests/scenarios.rs runs
/// them through the Rust client (see tests/scenarios/README.md). `callJson` returns the output only, so
/// the attempts a call took are the requests the sandbox journal gained.
final class ScenarioTests: SandboxTestCase {
    private var files: [URL] {
        let directory = repoRoot.appendingPathComponent("tests/scenarios")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { directory.appendingPathComponent($0) }
    }

    func testTheScenarioFilesAreFound() {
        XCTAssertGreaterThanOrEqual(files.count, 5, "\(files)")
    }

    func testTheMatchingRules() throws {
        XCTAssertTrue(matches(["a": 1], ["a": 1, "b": 2]))
        XCTAssertFalse(matches(["a": 1, "c": 3], ["a": 1, "b": 2]))
        XCTAssertFalse(matches([["a": 1]], [["a": 1], ["a": 2]]))
        XCTAssertTrue(matches(nil, NSNull()))
        XCTAssertFalse(matches(NSNull(), [Any]()))
        XCTAssertTrue(matches(1, 1.0))
        XCTAssertFalse(matches(1, true))
        XCTAssertFalse(matches(true, 1))
        XCTAssertFalse(matches("1", 1))
        let parsed = try parseJSON(#"{"a": [1, 2.5, "x", true, null, {}]}"#)
        XCTAssertTrue(matches(parsed, ["a": [1, 2.5, "x", true, NSNull(), [String: Any]()] as [Any]] as [String: Any]))
    }

    func testEveryScenarioFile() async throws {
        for file in files {
            try await sandbox.reset()
            let scenario = try XCTUnwrap(try parseJSON(String(contentsOf: file, encoding: .utf8)) as? [String: Any])
            let api = try XCTUnwrap(scenario["api"] as? String, file.lastPathComponent)
            let described = try await sandbox.describe(api)
            let baseUrl = try XCTUnwrap(described["base_url"] as? String)
            let defaultKey = try XCTUnwrap(described["api_key"] as? String)
            var named: [String: [String: String]] = [
                "default": ["api_key": defaultKey],
                "wrong_key": ["api_key": wrongKey],
            ]
            for (name, values) in scenario["clients"] as? [String: [String: String]] ?? [:] {
                named[name] = values
            }
            let clients = try named.mapValues { try scenarioClient(api, baseUrl, $0) }
            let steps = scenario["steps"] as? [[String: Any]] ?? []
            for (index, step) in steps.enumerated() {
                do {
                    try await run(step, clients)
                } catch let failure as TestFailure {
                    XCTFail("\(file.lastPathComponent) step \(index): \(failure)")
                    break
                }
            }
        }
    }

    /// A client of `api` on this sandbox from a scenario's settings (`api_key`, `auth_header`, the API's own).
    private func scenarioClient(_ api: String, _ baseUrl: String, _ values: [String: String]) throws -> any CallsJson {
        var own = values
        own["api_key"] = nil
        own["auth_header"] = nil
        let settings = ClientSettings(baseUrl: baseUrl, jitterSeed: 7, authHeader: values["auth_header"], apiSettings: own.isEmpty ? nil : own)
        let key = values["api_key"]
        switch api {
        case "zerokie": return try Zerokie(apiKey: key, settings: settings)
        case "zenifra": return try Zenifra(apiKey: key, settings: settings)
        case "zenovay": return try Zenovay(apiKey: key, settings: settings)
        case "zyra": return try Zyra(apiKey: key, settings: settings)
        default:
            throw TestFailure(description: "unknown api \(api)")
        }
    }

    private func run(_ step: [String: Any], _ clients: [String: any CallsJson]) async throws {
        if let seconds = step["advance_clock_seconds"] as? Double {
            return try await sandbox.advanceClock(seconds)
        }
        if let fault = step["fault"] as? [String: Any] {
            return try await sandbox.fault(fault)
        }
        guard let operation = step["call"] as? String else {
            throw TestFailure(description: "a step needs call, fault or advance_clock_seconds")
        }
        let name = step["client"] as? String ?? "default"
        guard let client = clients[name] else {
            throw TestFailure(description: "\(operation): no client named \(name)")
        }
        let options = step["options"] as? [String: Any] ?? [:]
        let settings = CallSettings(
            maxRetries: (options["max_retries"] as? Int).map { UInt32($0) },
            timeoutMs: (options["timeout_ms"] as? Int).map { UInt64($0) }
        )
        let expectedError = step["expect_error"]
        let sentBefore = try await sandbox.journal().count
        let output: String
        do {
            output = try await client.callJson(operation: operation, input: try writeJSON(step["input"] ?? [String: Any]()), call: settings)
        } catch let error as ZkitError {
            guard let expectedError else { throw TestFailure(description: "\(operation): unexpected error \(error)") }
            let facts = error.facts
            let actual: [String: Any] = [
                "kind": facts.kind,
                "status": orNull(facts.status.map { Int($0) }),
                "code": orNull(facts.code),
                "message": facts.reason,
                "field": orNull(facts.field),
                "retry_after_seconds": orNull(facts.retryAfterSeconds),
            ]
            guard matches(expectedError, actual) else {
                throw TestFailure(description: "\(operation): expected error \(expectedError), got \(actual)")
            }
            if facts.kind == "invalid_input" {
                let sent = try await sandbox.journal().count
                guard sent == sentBefore else { throw TestFailure(description: "\(operation): invalid input reached the sandbox") }
            }
            return
        }
        let data = try parseJSON(output)
        guard expectedError == nil else {
            throw TestFailure(description: "\(operation): expected error \(expectedError!), got \(data)")
        }
        guard matches(step["expect"], data) else {
            throw TestFailure(description: "\(operation): expected \(String(describing: step["expect"])), got \(data)")
        }
        if let expected = step["expect_attempts"] as? Int {
            let attempts = try await sandbox.journal().count - sentBefore
            guard attempts == expected else {
                throw TestFailure(description: "\(operation): expected \(expected) attempts, took \(attempts)")
            }
        }
    }
}
