package dev.zkit.bench

import dev.zkit.ZkitException
import dev.zkit.model.AddDomain
import dev.zkit.model.AppType
import dev.zkit.model.CreateApp
import dev.zkit.model.GetApp
import dev.zkit.newDeploySessionId
import dev.zkit.test.SANDBOX_KEY
import dev.zkit.test.Sandbox
import kotlinx.coroutines.runBlocking
import java.net.HttpURLConnection
import java.net.URI

/**
 * What a call from Kotlin costs (a benchmark: it prints figures and asserts nothing):
 *
 * - a synchronous call into the native library (`newDeploySessionId()`: a UUID made in Rust);
 * - a `suspend` call that the core refuses before sending (`addDomain` with an apex domain): the whole
 *   path of an async call (lowering the record, the Rust future, its completion, the error lifted
 *   into a `ZkitException`) without the network;
 * - a `getApp` round trip to the sandbox on 127.0.0.1, next to the same GET made with the JDK's
 *   HttpURLConnection, which is the floor for any HTTP client on this machine.
 *
 * Each figure is the mean per call of the best of five rounds, after a warm-up.
 */
fun main(): Unit = runBlocking {
    report("sync FFI call, newDeploySessionId()", perCall(20_000) { newDeploySessionId() })
    Sandbox.start().use { sandbox ->
        sandbox.reset()
        sandbox.client { rateLimit = false }.use { zerokie ->
            val refused = perCall(5_000) {
                try {
                    zerokie.addDomain(AddDomain("my-site", "example.com"))
                } catch (expected: ZkitException.InvalidInput) {
                    // refused before sending, as every time
                }
            }
            report("suspend call refused before sending", refused)

            zerokie.createApp(CreateApp("bench", kind = AppType.Static))
            report("getApp round trip to the sandbox", perCall(1_000) { zerokie.getApp(GetApp("bench")) })
            val url = URI("${sandbox.zerokieUrl}/v1/apps/bench").toURL()
            val plain = perCall(1_000) {
                val connection = url.openConnection() as HttpURLConnection
                connection.setRequestProperty("authorization", "Bearer $SANDBOX_KEY")
                connection.inputStream.use { it.readBytes() }
            }
            report("the same GET with HttpURLConnection", plain)
        }
    }
}

private fun report(what: String, nanos: Double) {
    val figure = if (nanos < 10_000) "%.2f µs".format(nanos / 1000) else "%.1f µs".format(nanos / 1000)
    println("%-40s %10s per call".format(what, figure))
}

/** The mean time per call of `block`, best of five rounds of `n` calls after a warm-up round. */
private inline fun perCall(n: Int, block: () -> Unit): Double {
    repeat(n) { block() }
    var best = Long.MAX_VALUE
    repeat(5) {
        val started = System.nanoTime()
        repeat(n) { block() }
        best = minOf(best, System.nanoTime() - started)
    }
    return best.toDouble() / n
}
