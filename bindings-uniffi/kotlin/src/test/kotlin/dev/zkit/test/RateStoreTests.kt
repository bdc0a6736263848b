package dev.zkit.test

import dev.zkit.CallSettings
import dev.zkit.ZkitException
import dev.zkit.model.GetOrganization
import java.net.ServerSocket
import java.net.Socket

/** A free port of 127.0.0.1. */
private fun freePort(): Int = ServerSocket(0).use { it.localPort }

/** Runs `body` with a `redis-server` of its own on 127.0.0.1 (Debian's package; scripts/test installs it). */
private suspend fun <T> withRedis(body: suspend (String) -> T): T {
    val port = freePort()
    val server = ProcessBuilder("redis-server", "--port", "$port", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
    try {
        repeat(100) {
            if (runCatching { Socket("127.0.0.1", port).close() }.isSuccess) return body("redis://127.0.0.1:$port")
            Thread.sleep(20)
        }
        fail("redis-server did not start on $port")
    } finally {
        server.destroy()
        server.waitFor()
    }
}

/** The limiter's budgets in a real Redis server (the Kotlin twin of bindings-python/tests/test_rate_store.py). */
object RateStoreTests : Suite("rate store") {
    init {
        test("two clients share one budget through the store") {
            withRedis { store ->
                zyra { rateLimitStore = store; maxRetries = 0u }.use { first ->
                    zyra { rateLimitStore = store; maxRetries = 0u }.use { second ->
                        repeat(20) { first.getOrganization(GetOrganization("org_sandbox")) }
                        repeat(10) { second.getOrganization(GetOrganization("org_sandbox")) }
                        // Each client alone has spent less than 30; together they have spent the minute's 30.
                        val held = assertThrows<ZkitException.RateLimited> {
                            second.getOrganization(GetOrganization("org_sandbox"), CallSettings(deadlineMs = 2_000u))
                        }
                        assertEquals(null, held.status, "status of a call held unsent")
                    }
                }
            }
            assertEquals(List(30) { 200L }, journal().map { it["status"] }, "statuses")
        }

        test("a store that cannot be reached never fails a call and never shows") {
            zyra { rateLimitStore = "redis://:s3cret@127.0.0.1:${freePort()}" }.use { zyra ->
                repeat(3) { assertEquals("org_sandbox", zyra.getOrganization(GetOrganization("org_sandbox")).id, "id") }
                check(!zyra.toString().contains("s3cret")) { zyra.toString() }
            }
            val refused = assertThrows<ZkitException.InvalidInput> { zyra { rateLimitStore = "http://127.0.0.1:6379" } }
            assertEquals("rate_limit_store", refused.field, "field")
        }
    }
}
