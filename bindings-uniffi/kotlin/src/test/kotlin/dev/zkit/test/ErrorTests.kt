package dev.zkit.test

import dev.zkit.CallSettings
import dev.zkit.ClientSettings
import dev.zkit.Zerokie
import dev.zkit.ZkitException
import dev.zkit.model.*
import java.net.ServerSocket

/** Every kind of failure as its exception class with its facts; retries and Retry-After; time limits
 * per call and per client; invalid input refused before sending (bindings-python/tests/test_errors.py). */
object ErrorTests : Suite("errors") {
    /** Status, class, kind, retryable: every status the taxonomy names. */
    private val statuses = listOf(
        Triple(400, ZkitException.BadRequest::class.java, false),
        Triple(401, ZkitException.Unauthorized::class.java, false),
        Triple(402, ZkitException.PaymentRequired::class.java, false),
        Triple(403, ZkitException.Forbidden::class.java, false),
        Triple(404, ZkitException.NotFound::class.java, false),
        Triple(409, ZkitException.Conflict::class.java, false),
        Triple(429, ZkitException.RateLimited::class.java, true),
        Triple(500, ZkitException.Server::class.java, true),
        Triple(502, ZkitException.Upstream::class.java, true),
        Triple(503, ZkitException.Server::class.java, true),
    )

    init {
        for ((status, cls, retryable) in statuses) {
            test("HTTP $status is ${cls.simpleName}") {
                fault("method" to "GET", "path" to APPS, "status" to status, "body" to mapOf("error" to "refused with $status"))
                client().use { zerokie ->
                    val error = assertThrows<ZkitException> { zerokie.listApps(CallSettings(maxRetries = 0u)) }
                    assertEquals(cls, error.javaClass, "class")
                    val facts = error.facts
                    assertEquals(status to "refused with $status", facts.status to facts.reason, "status and reason")
                    check(facts.requestId?.startsWith("req_") == true) { "request id: ${facts.requestId}" }
                    assertEquals(retryable, facts.retryable, "retryable")
                    assertEquals(Triple(null, null, null), Triple(facts.field, facts.code, facts.retryAfterSeconds), "field, code, retry after")
                    check(error.message!!.contains("refused with $status")) { "message: ${error.message}" }
                    assertEquals(1, journal().size, "maxRetries = 0 makes one attempt")
                }
            }
        }

        test("the sandbox's own failures") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp("api", image = "nginx"))
                val cases = listOf<Triple<suspend () -> Unit, Int, String>>(
                    Triple({ zerokie.listFiles(ListFiles("api")) }, 400, "app is not a static app"),
                    Triple({ zerokie.getApp(GetApp("nowhere")) }, 404, "app not found"),
                    Triple({ zerokie.createApp(CreateApp("api", image = "nginx")) }, 409, "app name already exists"),
                )
                for ((call, status, reason) in cases) {
                    val error = assertThrows<ZkitException> { call() }
                    assertEquals(status to reason, error.facts.status to error.facts.reason, "status and reason")
                    check(error.facts.requestId != null) { "request id" }
                }
            }
            client(WRONG_KEY).use { stranger ->
                val error = assertThrows<ZkitException.Unauthorized> { stranger.listApps() }
                assertEquals(401 to "missing or invalid API key", error.facts.status to error.reason, "unauthorized")
            }
        }

        test("a wrong key is unauthorized and never echoed") {
            val key = "zrk_wrong_key_that_must_stay_secret"
            client(key).use { zerokie ->
                val error = assertThrows<ZkitException.Unauthorized> { zerokie.listApps() }
                assertEquals(false, error.retryable, "retryable")
                val texts = listOf(error.toString(), error.message.orEmpty(), error.stackTraceToString(), error.facts.toString(), zerokie.describe(), zerokie.toString())
                for (text in texts) check(key !in text) { "the key leaked into $text" }
                check("zrk_…cret" in zerokie.describe()) { "a preview at most: ${zerokie.describe()}" }
                check(key !in Json.write(journal())) { "the key leaked into the journal" }
            }
        }

        test("Retry-After is honoured and the retry succeeds") {
            fault("method" to "GET", "path" to APPS, "status" to 429, "retry_after" to "1")
            client().use { zerokie ->
                val started = System.nanoTime()
                assertEquals(emptyList<App>(), zerokie.listApps(), "apps")
                check(System.nanoTime() - started >= 900_000_000L) { "the client waited the second it was asked to" }
                assertEquals(listOf<Any?>(429L, 200L), journal().map { it["status"] }, "statuses")
            }
        }

        test("RateLimited beyond 60 seconds carries retryAfterSeconds, without waiting") {
            fault("method" to "GET", "path" to APPS, "status" to 429, "retry_after" to "3600")
            client().use { zerokie ->
                val error = assertThrows<ZkitException.RateLimited> { zerokie.listApps() }
                assertEquals(Triple(429, 3600.0, true), Triple(error.facts.status, error.retryAfterSeconds, error.retryable), "facts")
                assertEquals(1, journal().size, "a wait past 60 s is not waited for")
            }
        }

        test("retries: by default, per call and per client") {
            fault("method" to "GET", "path" to APPS, "status" to 503, "times" to 2)
            client().use { zerokie ->
                assertEquals(emptyList<App>(), zerokie.listApps(), "the third attempt succeeds")
                assertEquals(listOf<Any?>(503L, 503L, 200L), journal().map { it["status"] }, "attempts")
            }
            reset()
            fault("method" to "GET", "path" to APPS, "status" to 503, "times" to 2)
            client().use { zerokie ->
                assertThrows<ZkitException.Server> { zerokie.listApps(CallSettings(maxRetries = 0u)) }
                assertEquals(1, journal().size, "per call")
            }
            client { maxRetries = 0u }.use { once ->
                assertThrows<ZkitException.Server> { once.listApps() }
                assertEquals(2, journal().size, "per client")
                assertEquals(emptyList<App>(), once.listApps(), "the fault is spent")
            }
        }

        test("a non-idempotent call is retried only with an idempotency key") {
            fault("method" to "POST", "path" to APPS, "status" to 503)
            client().use { zerokie ->
                assertThrows<ZkitException.Server> { zerokie.createApp(CreateApp("site", kind = AppType.Static)) }
                assertEquals(1, journal().size, "not retried")
                fault("method" to "POST", "path" to APPS, "status" to 503)
                val app = zerokie.createApp(CreateApp("site", kind = AppType.Static), CallSettings(idempotencyKey = "create-site-1"))
                assertEquals("site", app.name, "created on the retry")
                val posts = journal().drop(1)
                assertEquals(listOf<Any?>(503L, 201L), posts.map { it["status"] }, "retried")
                check(posts.all { it["headers"]["idempotency-key"] == "create-site-1" }) { "idempotency key: $posts" }
            }
        }

        test("timeout per call") {
            fault("method" to "GET", "path" to APPS, "kind" to "delay", "delay_ms" to 1000)
            client().use { zerokie ->
                val started = System.nanoTime()
                val error = assertThrows<ZkitException.Timeout> { zerokie.listApps(CallSettings(timeoutMs = 100u, maxRetries = 0u)) }
                check(System.nanoTime() - started < 900_000_000L) { "the call did not wait for the slow answer" }
                assertEquals(null to true, error.facts.status to error.retryable, "status and retryable")
                check(error.reason.isNotEmpty()) { "a reason" }
            }
        }

        test("deadline per call, and time limits per client") {
            fault("method" to "GET", "path" to APPS, "kind" to "delay", "delay_ms" to 1000, "times" to 2)
            client { noTimeLimits = true }.use { zerokie ->
                assertThrows<ZkitException.Timeout> { zerokie.listApps(CallSettings(deadlineMs = 100u)) }
            }
            client { timeoutMs = 100u; maxRetries = 0u }.use { impatient ->
                assertThrows<ZkitException.Timeout> { impatient.listApps() }
            }
            client { deadlineMs = 2_000u; noTimeLimits = false }.use { patient ->
                fault("method" to "GET", "path" to APPS, "kind" to "delay", "delay_ms" to 200)
                assertEquals(emptyList<App>(), patient.listApps(), "within the limits")
            }
        }

        test("a refused connection is Connection") {
            val port = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
            // Nothing listens on the port any more.
            Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = "http://127.0.0.1:$port/zerokie", maxRetries = 0u)).use { zerokie ->
                val error = assertThrows<ZkitException.Connection> { zerokie.listApps() }
                assertEquals(null to true, error.facts.status to error.retryable, "status and retryable")
            }
        }

        test("a reset connection is retried, and is Connection when it is not") {
            fault("method" to "GET", "path" to APPS, "kind" to "reset")
            client().use { zerokie ->
                assertEquals(emptyList<App>(), zerokie.listApps(), "retried")
                assertEquals(2, journal().size, "two attempts")
                fault("method" to "GET", "path" to APPS, "kind" to "reset")
                assertThrows<ZkitException.Connection> { zerokie.listApps(CallSettings(maxRetries = 0u)) }
            }
        }

        test("a malformed or truncated body is Decode, not retried") {
            fault("method" to "GET", "path" to APPS, "kind" to "malformed")
            client().use { zerokie ->
                val error = assertThrows<ZkitException.Decode> { zerokie.listApps() }
                assertEquals(200 to false, error.facts.status to error.retryable, "status and retryable")
                check(error.reason.startsWith("response body: ")) { "reason: ${error.reason}" }
                assertEquals(1, journal().size, "a body that cannot be read is not retried")
                fault("method" to "GET", "path" to "$APPS/cut", "kind" to "truncated")
                val cut = assertThrows<ZkitException> { zerokie.getApp(GetApp("cut"), CallSettings(maxRetries = 0u)) }
                check(cut is ZkitException.Decode || cut is ZkitException.Connection) { "truncated: $cut" }
            }
        }

        test("invalid input is refused before sending, naming the field") {
            client().use { zerokie ->
                val error = assertThrows<ZkitException.InvalidInput> { zerokie.addDomain(AddDomain("my-site", "example.com")) }
                val facts = error.facts
                assertEquals(Triple("domain", null, null), Triple(facts.field, facts.status, facts.requestId), "facts")
                check(facts.reason.startsWith("domain: ")) { "reason: ${facts.reason}" }
                assertEquals(false, facts.retryable, "retryable")
                assertEquals(0, journal().size, "nothing was sent")
            }
        }

        test("every refusal of the core, through the typed methods and callJson") {
            val session = dev.zkit.newDeploySessionId()
            val typed = listOf<Pair<String, suspend Zerokie.() -> Unit>>(
                "domain" to { addDomain(AddDomain("my-site", "example.com")) },
                "domain" to { removeDomain(RemoveDomain("my-site", "example.com")) },
                "path" to { uploadFile(UploadFile("my-site", "../x.html", ByteArray(0))) },
                "path" to { uploadFile(UploadFile("my-site", "/x.html", ByteArray(0))) },
                "path" to { uploadFile(UploadFile("my-site", "a\\x.html", ByteArray(0))) },
                "path" to { deleteFile(DeleteFile("my-site", "a//x.html")) },
                "deploy_session_id" to { acquireDeployLock(AcquireDeployLock("my-site", "lock-1")) },
                "name" to { renewDeployLock(RenewDeployLock("", session)) },
                "name" to { createApp(CreateApp("", image = "nginx")) },
                "name" to { createApp(CreateApp("Not_A_Label", kind = AppType.Static)) },
                "image" to { createApp(CreateApp("web")) },
                "content_type" to { uploadFile(UploadFile("my-site", "x.html", ByteArray(0), "text/html\r\nX-Evil: 1")) },
                "name" to { getApp(GetApp("")) },
                "name" to { deployApp(DeployApp("")) },
                "name" to { listFiles(ListFiles("")) },
            )
            val dynamic = listOf(
                Triple("create_app", """{"name": "web", "image": "nginx", "port": "eighty"}""", "port"),
                Triple("get_app", "{}", "name"),
                Triple("upload_file", """{"name": "my-site", "path": "../etc/passwd", "content": "x"}""", "path"),
                Triple("finalize_deploy", """{"name": "my-site", "deploy_session_id": "x", "files_uploaded": 1, "files_deleted": 0, "total_bytes": 1}""", "deploy_session_id"),
            )
            client().use { zerokie ->
                for ((field, call) in typed) {
                    val error = assertThrows<ZkitException.InvalidInput>("refusal of $field") { zerokie.call() }
                    assertEquals(field, error.field, "field of ${error.reason}")
                    check(error.reason.startsWith("$field: ")) { "reason: ${error.reason}" }
                    check(error.facts.status == null && !error.retryable) { "facts: ${error.facts}" }
                }
                for ((operation, input, field) in dynamic) {
                    val error = assertThrows<ZkitException.InvalidInput>("$operation $input") { zerokie.callJson(operation, input) }
                    assertEquals(field, error.field, "$operation: ${error.reason}")
                }
            }
            assertEquals(0, journal().size, "nothing was sent")
        }

        test("settings are checked when the client is made") {
            val url = assertThrows<ZkitException.InvalidInput> { Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = "not a url")) }
            assertEquals("base_url", url.field, "base url")
            val header = assertThrows<ZkitException.InvalidInput> { Zerokie("zrk_key\r\nX-Evil: 1", ClientSettings(baseUrl = zerokieUrl)) }
            assertEquals("api_key", header.field, "a key with CR LF")
            check("X-Evil" !in header.toString()) { "the refused key was echoed: $header" }
            val empty = assertThrows<ZkitException.InvalidInput> { Zerokie("", ClientSettings(baseUrl = zerokieUrl)) }
            assertEquals("api_key", empty.field, "an empty key")
            if (System.getenv("ZEROKIE_API_KEY") == null) {
                val missing = assertThrows<ZkitException.InvalidInput> { Zerokie(null, ClientSettings(baseUrl = zerokieUrl)) }
                assertEquals("api_key", missing.field, "no key at all")
                check("ZEROKIE_API_KEY" in missing.reason) { "the reason names the variable: ${missing.reason}" }
            }
        }

        test("extreme time limits never crash the process") {
            client().use { zerokie ->
                val huge = CallSettings(timeoutMs = ULong.MAX_VALUE, deadlineMs = ULong.MAX_VALUE, maxRetries = UInt.MAX_VALUE)
                try {
                    assertEquals(emptyList<App>(), zerokie.listApps(huge), "apps")
                } catch (error: ZkitException) {
                    // A refusal (or a panic caught at the boundary) is fine; a crash is not.
                    check(error is ZkitException.InvalidInput || error is ZkitException.Internal) { "unexpected: $error" }
                }
            }
            Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = zerokieUrl, timeoutMs = ULong.MAX_VALUE, deadlineMs = ULong.MAX_VALUE)).use { zerokie ->
                assertEquals(emptyList<App>(), zerokie.listApps(), "apps")
            }
        }

        test("one sealed class per kind, all catchable as ZkitException") {
            val subclasses = ZkitException::class.java.declaredClasses.filter { ZkitException::class.java.isAssignableFrom(it) && it != ZkitException::class.java }
            val expected = setOf(
                "BadRequest", "Unauthorized", "PaymentRequired", "Forbidden", "NotFound", "Conflict", "RateLimited",
                "Server", "Upstream", "Redirect", "Timeout", "Connection", "Decode", "InvalidInput", "Internal",
            )
            assertEquals(expected, subclasses.map { it.simpleName }.toSet(), "subclasses")
            check(java.lang.reflect.Modifier.isAbstract(ZkitException::class.java.modifiers)) { "sealed (abstract) base" }
            check(Exception::class.java.isAssignableFrom(ZkitException::class.java)) { "an Exception" }
        }
    }
}
