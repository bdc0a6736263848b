package dev.zkit.test

import dev.zkit.CallSettings
import dev.zkit.ClientSettings
import dev.zkit.LogLevel
import dev.zkit.RequestInfo
import dev.zkit.ResponseCapture
import dev.zkit.ResponseInfo
import dev.zkit.Zerokie
import dev.zkit.ZkitException
import dev.zkit.ZkitHooks
import dev.zkit.ZkitLogger
import dev.zkit.kind
import dev.zkit.model.CreateApp
import dev.zkit.model.GetApp
import dev.zkit.retryable
import dev.zkit.status
import kotlinx.coroutines.runBlocking
import java.io.ByteArrayOutputStream
import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.util.Collections
import kotlin.concurrent.thread

/** Keeps every hook call and log record. */
class Observed : ZkitHooks, ZkitLogger {
    val requests: MutableList<RequestInfo> = Collections.synchronizedList(mutableListOf())
    val responses: MutableList<ResponseInfo> = Collections.synchronizedList(mutableListOf())
    val records: MutableList<Pair<LogLevel, String>> = Collections.synchronizedList(mutableListOf())

    override fun onRequest(request: RequestInfo) {
        requests += request
    }

    override fun onResponse(response: ResponseInfo) {
        responses += response
    }

    override fun log(level: LogLevel, message: String, fields: Map<String, String>) {
        records += level to message
    }
}

/** A forwarding proxy on 127.0.0.1: every byte goes on to `target`; what clients sent is kept. */
class Relay(target: URI) : AutoCloseable {
    private val server = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
    private val sent = ByteArrayOutputStream()
    val url = "http://127.0.0.1:${server.localPort}"

    init {
        thread(isDaemon = true) {
            while (!server.isClosed) {
                val client = runCatching { server.accept() }.getOrNull() ?: break
                val upstream = Socket(target.host, target.port)
                thread(isDaemon = true) { pipe(client, upstream, keep = true) }
                thread(isDaemon = true) { pipe(upstream, client, keep = false) }
            }
        }
    }

    private fun pipe(from: Socket, to: Socket, keep: Boolean) {
        val buffer = ByteArray(65536)
        runCatching {
            while (true) {
                val n = from.getInputStream().read(buffer)
                if (n < 0) break
                if (keep) synchronized(sent) { sent.write(buffer, 0, n) }
                to.getOutputStream().write(buffer, 0, n)
            }
        }
        runCatching { to.close() }
    }

    /** The request lines sent through it, such as `GET http://127.0.0.1:4010/zerokie/v1/apps HTTP/1.1`. */
    fun requestLines(): List<String> =
        synchronized(sent) { sent.toString(Charsets.ISO_8859_1) }.split("\r\n").filter { it.endsWith(" HTTP/1.1") }

    override fun close() = server.close()
}

/** Hooks, logs, redirects, compression, proxies, trust roots, raw responses, error facts and interrupts. */
object NetworkTests : Suite("network") {
    init {
        test("hooks see every attempt, and the logger gets records at its level") {
            val observed = Observed()
            fault("path" to APPS, "kind" to "status", "status" to 503, "retry_after" to "0")
            fault("path" to APPS, "kind" to "redirect", "status" to 307, "location" to APPS)
            val settings = ClientSettings(baseUrl = zerokieUrl, jitterSeed = 7uL, log = LogLevel.INFO)
            Zerokie(SANDBOX_KEY, settings, logger = observed, hooks = observed).use { zerokie ->
                assertEquals(emptyList(), zerokie.listApps(), "apps")
                check(!zerokie.toString().contains(SANDBOX_KEY)) { "the client prints no key: $zerokie" }
            }
            assertEquals(listOf(1u, 2u, 2u), observed.requests.map { it.attempt }, "attempts")
            assertEquals(listOf<UShort?>(503u, 307u, 200u), observed.responses.map { it.status }, "statuses")
            assertEquals("[redacted]", observed.requests[0].headers["authorization"], "the key's header")
            assertEquals(2, observed.records.size, "records at info: the retry and the redirect")
            check(observed.records[0].second.startsWith("zkit: retrying list_apps attempt=2")) { "${observed.records}" }
            check(!"${observed.requests}${observed.responses}${observed.records}".contains(SANDBOX_KEY)) { "a key shows" }
        }

        test("a hook that throws is logged and does not break the call") {
            val throwing = object : ZkitHooks {
                override fun onRequest(request: RequestInfo) = throw IllegalStateException("hook bug")
                override fun onResponse(response: ResponseInfo) = Unit
            }
            val observed = Observed()
            Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = zerokieUrl), logger = observed, hooks = throwing).use { zerokie ->
                assertEquals(emptyList(), zerokie.listApps(), "apps")
            }
            check(observed.records.any { (level, message) -> level == LogLevel.WARN && message.contains("hook bug") }) {
                "the failure was not logged: ${observed.records}"
            }
        }

        test("compressed answers are decoded") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp(name = "packed", image = "nginx:alpine"))
                for (encoding in listOf("gzip", "deflate", "br")) {
                    fault("path" to "$APPS/packed", "kind" to "encode", "encoding" to encoding)
                    assertEquals("packed", zerokie.getApp(GetApp(name = "packed")).name, encoding)
                }
            }
        }

        test("redirects: followed with the method kept, no key to another origin, RedirectError for a loop") {
            client().use { zerokie ->
                fault("method" to "POST", "path" to APPS, "kind" to "redirect", "status" to 307, "location" to APPS)
                assertEquals("moved", zerokie.createApp(CreateApp(name = "moved", image = "nginx:alpine")).name, "created")
                val port = URI(url).port
                fault("path" to APPS, "kind" to "redirect", "status" to 302, "location" to "http://localhost:$port$APPS")
                assertThrows<ZkitException.Unauthorized>("another origin") { runBlocking { zerokie.listApps() } }
                check(journal().last()["headers"].toString().let { !it.contains("authorization") }) { "the key went along" }
                fault("path" to APPS, "kind" to "redirect", "status" to 302, "location" to APPS, "times" to 20)
                val looped = assertThrows<ZkitException.Redirect>("a loop") { runBlocking { zerokie.listApps() } }
                assertEquals("redirect", looped.kind, "kind")
                assertEquals<UShort?>(302u, looped.status, "status")
                assertEquals(false, looped.retryable, "retryable")
                check(looped.facts.reason.contains("10 redirects")) { looped.facts.reason }
                check(looped.toString().contains("(302)")) { "toString: $looped" }
            }
        }

        test("a proxy setting carries the calls") {
            Relay(URI(url)).use { relay ->
                Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = zerokieUrl, proxy = relay.url)).use { zerokie ->
                    assertEquals(emptyList(), zerokie.listApps(), "apps")
                }
                assertEquals(listOf("GET $zerokieUrl/v1/apps HTTP/1.1"), relay.requestLines(), "through the proxy")
            }
            val refused = assertThrows<ZkitException.InvalidInput>("a socks proxy") {
                Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = zerokieUrl, proxy = "socks5://127.0.0.1:1080"))
            }
            assertEquals("proxy", refused.facts.field, "field")
        }

        test("a private authority is trusted only through the CA bundle") {
            Sandbox.start(tls = true).use { tls ->
                val baseUrl = "${tls.url}/zerokie"
                val untrusting = Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = baseUrl, maxRetries = 0u))
                val refused = assertThrows<ZkitException.Connection>("no CA bundle") { runBlocking { untrusting.listApps() } }
                check(refused.facts.reason.lowercase().contains("certificate")) { refused.facts.reason }
                Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = baseUrl, caBundlePath = tls.caFile)).use {
                    assertEquals(emptyList(), it.listApps(), "by path")
                }
                val pem = File(tls.caFile!!).readText()
                Zerokie(SANDBOX_KEY, ClientSettings(baseUrl = baseUrl, caBundlePem = pem)).use {
                    assertEquals(emptyList(), it.listApps(), "by PEM")
                }
            }
        }

        test("raw calls and calls by name give the response's facts") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp(name = "raw-app", image = "nginx:alpine"))
                val raw = zerokie.raw("GET", "/v1/apps/raw-app")
                assertEquals<UShort>(200u, raw.facts.status, "status")
                check(raw.body.decodeToString().contains("\"raw-app\"")) { "body" }
                assertEquals(raw.facts.headers["x-request-id"], raw.facts.requestId, "request id")
                val json = zerokie.callJsonWithResponse("get_app", """{"name": "raw-app"}""")
                assertEquals(1u, json.facts.attempts, "attempts")
                check(json.data.contains("\"raw-app\"")) { json.data }
                val missing = assertThrows<ZkitException.NotFound>("a raw 404") { runBlocking { zerokie.raw("GET", "/v1/apps/none") } }
                assertEquals("not_found", missing.kind, "kind")
                // A typed call's facts, through a capture in its settings.
                val capture = ResponseCapture()
                val app = zerokie.getApp(GetApp(name = "raw-app"), CallSettings(capture = capture))
                val facts = capture.facts() ?: fail("the capture holds no facts")
                assertEquals<UShort>(200u, facts.status, "captured status")
                check(facts.requestId?.startsWith("req_") == true) { "captured request id: ${facts.requestId}" }
                // Open enums print their wire value.
                check(app.status.toString() in setOf("deploying", "running")) { "AppStatus.toString(): ${app.status}" }
            }
        }

        test("an interrupted blocking call gives up at once") {
            fault("path" to APPS, "kind" to "delay", "delay_ms" to 6000)
            val zerokie = client()
            var outcome: Throwable? = null
            val caller = thread {
                try {
                    runBlocking { zerokie.listApps() }
                } catch (error: Throwable) {
                    outcome = error
                }
            }
            arrived("/v1/apps")
            val sent = System.nanoTime()
            caller.interrupt()
            caller.join(3_000)
            val ms = (System.nanoTime() - sent) / 1_000_000
            check(!caller.isAlive) { "the call went on after its thread was interrupted" }
            check(outcome is InterruptedException) { "expected InterruptedException, got $outcome" }
            check(ms < 2_000) { "gave up $ms ms after the interrupt" }
            zerokie.close()
        }
    }
}
