package dev.zkit.test

import dev.zkit.CallSettings
import dev.zkit.Zerokie
import dev.zkit.ZkitException
import dev.zkit.model.*
import kotlinx.coroutines.*
import java.io.File
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** The client itself: settings from arguments and the environment, describe without the key, calls
 * from many coroutines and threads at once, cancellation, closing (bindings-python/tests/test_client.py). */
object ClientTests : Suite("client") {
    init {
        test("describe shows the base URL and a preview of the key, never the key") {
            val key = "zrk_a_key_that_is_long_enough_1234"
            client(key).use { zerokie ->
                assertEquals("Zerokie(baseUrl=$zerokieUrl, apiKey=zrk_…1234)", zerokie.describe(), "describe")
                check(key !in zerokie.toString()) { "toString: $zerokie" }
            }
        }

        test("the library's version is the release's, Cargo.toml's; the user agent names it") {
            val cargo = File(REPO, "Cargo.toml").readText()
            val version = Regex("""(?m)^version = "([^"]+)"$""").find(cargo)!!.groupValues[1]
            assertEquals(version, dev.zkit.zkitVersion(), "zkitVersion()")
            client().use { zerokie ->
                zerokie.listApps()
                assertEquals("zkit-mobile/$version", journal().single()["headers"]["user-agent"], "user agent")
            }
        }

        test("settings from the environment, and arguments win over it") {
            val environment = mapOf("ZEROKIE_API_KEY" to SANDBOX_KEY, "ZEROKIE_BASE_URL" to zerokieUrl)
            val fromEnv = runJvm("dev.zkit.test.EnvProbeKt", environment, "from-env")
            assertEquals(listOf("Zerokie(baseUrl=$zerokieUrl, apiKey=zrk_…ffee)", "apps: from-env"), fromEnv, "from the environment")
            val explicit = runJvm("dev.zkit.test.EnvProbeKt", environment + ("ZEROKIE_API_KEY" to WRONG_KEY), "explicit", SANDBOX_KEY)
            assertEquals("apps: explicit, from-env", explicit.last(), "an explicit key wins")
            val wrong = runJvm("dev.zkit.test.EnvProbeKt", environment + ("ZEROKIE_API_KEY" to WRONG_KEY), "nope")
            assertEquals("Unauthorized 401", wrong.last(), "the key from the environment is used")
        }

        test("per-call settings reach the request; the key only as a preview") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp("once", kind = AppType.Static), CallSettings(idempotencyKey = "create-once-1", deadlineMs = 30_000u, timeoutMs = 10_000u, maxRetries = 1u))
                val entry = journal().single()
                assertEquals("create-once-1", entry["headers"]["idempotency-key"], "idempotency key")
                assertEquals("Bearer zrk_…ffee", entry["headers"]["authorization"], "authorization as the journal shows it")
                check((entry["headers"]["user-agent"] as String).startsWith("zkit-mobile/")) { "user agent: ${entry["headers"]}" }
            }
        }

        test("client settings: no rate limit, no time limits") {
            client { rateLimit = false; noTimeLimits = true; maxRetries = 1u }.use { zerokie ->
                fault("method" to "GET", "path" to APPS, "kind" to "delay", "delay_ms" to 100)
                assertEquals(emptyList<App>(), zerokie.listApps(), "apps")
            }
        }

        test("concurrent coroutines share one client") {
            client().use { zerokie ->
                val created = withContext(Dispatchers.Default) {
                    (0 until 16).map { i -> async { zerokie.createApp(CreateApp("site-$i", kind = AppType.Static)).name } }.awaitAll()
                }
                assertEquals((0 until 16).map { "site-$it" }.sorted(), created.sorted(), "created")
                assertEquals(16, zerokie.listApps().size, "listed")
                val fetched = coroutineScope { (0 until 16).map { i -> async { zerokie.getApp(GetApp("site-$i")).name } }.awaitAll() }
                assertEquals((0 until 16).map { "site-$it" }, fetched, "fetched in order")
            }
        }

        test("plain threads share one client, each blocking on its own call") {
            client().use { zerokie ->
                val pool = Executors.newFixedThreadPool(8)
                try {
                    val futures = (0 until 16).map { i ->
                        pool.submit<String> { runBlocking { zerokie.createApp(CreateApp("thread-$i", kind = AppType.Static)).name } }
                    }
                    assertEquals((0 until 16).map { "thread-$it" }, futures.map { it.get(30, TimeUnit.SECONDS) }, "created")
                } finally {
                    pool.shutdown()
                }
                // A thread of its own, with no coroutine machinery around it but runBlocking.
                var seen = -1
                val thread = Thread { seen = runBlocking { zerokie.listApps().size } }
                thread.start()
                thread.join(30_000)
                assertEquals(16, seen, "seen from a fresh thread")
            }
        }

        test("a waiting call leaves other calls free") {
            fault("method" to "GET", "path" to "$APPS/slow", "kind" to "delay", "delay_ms" to 1000)
            client().use { zerokie ->
                coroutineScope {
                    val slow = async { runCatching { zerokie.getApp(GetApp("slow")) } }
                    arrived("/slow")
                    assertEquals(emptyList<App>(), zerokie.listApps(), "the quick call")
                    check(!slow.isCompleted) { "the quick call finished after the slow one" }
                    val outcome = slow.await()
                    check(outcome.exceptionOrNull() is ZkitException.NotFound) { "slow: $outcome" }
                }
            }
        }

        test("cancelling a coroutine mid-call ends it at once and leaves the client usable") {
            fault("method" to "GET", "path" to "$APPS/slow", "kind" to "delay", "delay_ms" to 2000, "times" to 2)
            client().use { zerokie ->
                coroutineScope {
                    val job = launch(Dispatchers.Default) { zerokie.getApp(GetApp("slow")) }
                    arrived("/slow")
                    val started = System.nanoTime()
                    job.cancelAndJoin()
                    val ms = (System.nanoTime() - started) / 1_000_000
                    check(job.isCancelled) { "the job was cancelled" }
                    check(ms < 1000) { "cancellation took $ms ms" }
                }
                val started = System.nanoTime()
                assertThrows<TimeoutCancellationException> { withTimeout(100) { zerokie.getApp(GetApp("slow")) } }
                check(System.nanoTime() - started < 1_000_000_000L) { "withTimeout ended the call" }
                assertEquals(emptyList<App>(), zerokie.listApps(), "the client still works")
                // Many cancellations in a row leave nothing behind that breaks later calls.
                repeat(20) {
                    fault("method" to "GET", "path" to "$APPS/slower", "kind" to "delay", "delay_ms" to 1000)
                    withTimeoutOrNull(5) { zerokie.getApp(GetApp("slower")) }
                }
                assertEquals(emptyList<App>(), zerokie.listApps(), "still works")
            }
        }

        test("a closed client refuses calls with IllegalStateException") {
            val zerokie = client()
            assertEquals(emptyList<App>(), zerokie.listApps(), "before close")
            zerokie.close()
            zerokie.close() // closing twice is fine
            check(zerokie.uniffiIsDestroyed) { "destroyed" }
            assertThrows<IllegalStateException> { zerokie.listApps() }
            assertThrows<IllegalStateException> { zerokie.describe() }
            assertEquals(1, journal().size, "nothing sent after close")
        }

        test("a client closed while a call waits lets the call finish") {
            fault("method" to "GET", "path" to "$APPS/slow", "kind" to "delay", "delay_ms" to 300)
            val zerokie = client()
            coroutineScope {
                val slow = async { runCatching { zerokie.getApp(GetApp("slow")) } }
                arrived("/slow")
                zerokie.close()
                val outcome = slow.await()
                check(outcome.exceptionOrNull() is ZkitException.NotFound) { "the waiting call ended normally: $outcome" }
            }
        }
    }

    /** Runs `main` of the test classes in a new JVM with `environment` added; its output lines. */
    private fun runJvm(mainClass: String, environment: Map<String, String>, vararg args: String): List<String> {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val builder = ProcessBuilder(listOf(java, "-cp", System.getProperty("java.class.path"), mainClass) + args)
        builder.environment().remove("ZKIT_SANDBOX_URL")
        builder.environment().putAll(environment)
        builder.redirectErrorStream(true)
        val process = builder.start()
        val output = process.inputStream.bufferedReader().readText()
        check(process.waitFor(30, TimeUnit.SECONDS)) { "$mainClass did not finish" }
        return output.lines().filter { it.isNotBlank() }
    }
}
