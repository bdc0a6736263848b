package dev.zkit.test

import dev.zkit.ClientSettings
import dev.zkit.ZkitException
import dev.zkit.model.*
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import java.io.File
import java.util.concurrent.atomic.AtomicInteger

/**
 * A chaos run of the Kotlin library: calls of mixed operations of all four APIs against a sandbox where
 * a share of the requests meets a fault of every kind (500, 502, 503, 429 with and without Retry-After,
 * a reset connection, a truncated or malformed body, a delay past the attempt timeout), then cheap calls
 * without faults for the memory figure. The suite runs a short version ([ChaosTests]); the full one
 * prints its figures:
 *
 *     java -cp <tests>:<classpath> dev.zkit.test.ChaosKt [calls] [concurrency] [cheap calls]
 */
class ChaosFigures {
    var calls = 0
    var successes = 0
    val typed = sortedMapOf<String, Int>()
    val untyped = mutableListOf<String>()
    var duplicated = 0
    var late = 0
    var faultsMet = 0
    var elapsedS = 0.0
    var rssWarmKib = 0L
    var rssAfterKib = 0L
    var cheapCalls = 0

    fun table(language: String): String {
        val kinds = typed.entries.joinToString(", ") { "${it.key} ${it.value}" }
        val rows = listOf(
            "calls" to "$calls",
            "faults met (requests)" to "$faultsMet",
            "successes" to "$successes",
            "typed errors" to "${typed.values.sum()} ($kinds)",
            "untyped errors or crashes (goal 0)" to "${untyped.size}",
            "non-idempotent requests acted on twice (goal 0)" to "$duplicated",
            "calls past their deadline (goal 0)" to "$late",
            "time" to "%.1f s".format(elapsedS),
            "RSS after warm-up / after cheap calls" to "$rssWarmKib / $rssAfterKib KiB ($cheapCalls calls)",
        )
        return (listOf("| $language | |", "|---|---|") + rows.map { "| ${it.first} | ${it.second} |" }).joinToString("\n")
    }
}

private const val DEADLINE_MS = 10_000uL
private const val ATTEMPT_TIMEOUT_MS = 800uL
private const val DELAY_MS = 1_200
private const val BATCH = 2_000

/** The process's resident memory in KiB (Linux; 0 elsewhere). */
fun rssKib(): Long =
    File("/proc/self/status").takeIf { it.exists() }?.readLines()?.firstOrNull { it.startsWith("VmRSS:") }
        ?.split(Regex("\\s+"))?.getOrNull(1)?.toLongOrNull() ?: 0L

/** Runs `work(n)` for n in first until first + count, `concurrency` at a time. */
private suspend fun workers(first: Int, count: Int, concurrency: Int, work: suspend (Int) -> Unit) = coroutineScope {
    val next = AtomicInteger(first)
    (0 until concurrency).map {
        async {
            while (true) {
                val n = next.getAndIncrement()
                if (n >= first + count) break
                work(n)
            }
        }
    }.awaitAll()
}

suspend fun Sandbox.chaos(calls: Int, concurrency: Int, faultRate: Double, cheapCalls: Int): ChaosFigures {
    control("POST", "rate-window", mapOf("kind" to "off"))
    control("POST", "chaos", mapOf("rate" to faultRate, "seed" to 2026, "delay_ms" to DELAY_MS))
    val settings: ClientSettings.() -> Unit = { rateLimit = false; timeoutMs = ATTEMPT_TIMEOUT_MS; deadlineMs = DEADLINE_MS; jitterSeed = 11uL }
    val zerokie = client(settings = settings)
    val zenifra = zenifra { this.settings(); apiSettings = mapOf("organization_id" to "org_sandbox") }
    val zenovay = zenovay(settings = settings)
    val zyra = zyra(settings = settings)
    val figures = ChaosFigures()
    val lock = Any()
    // Call `n` of the mix: reads of every API, a create with its own name and a cancel of a job of its
    // own (non-idempotent; the sandbox answers the cancel 404), whose requests the journal tells apart.
    val mix: List<suspend (Int) -> Any> = listOf(
        { _ -> zerokie.listApps() },
        { n -> zerokie.createApp(CreateApp("chaos-$n", kind = AppType.Static)) },
        { _ -> zenifra.getProject(GetProject(WEB)) },
        { _ -> zenifra.getEnvs(GetEnvs(WEB)) },
        { _ -> zenovay.listWebsites() },
        { _ -> zenovay.getWebsite(GetWebsite("site_shop")) },
        { _ -> zyra.listDevices(ListDevices(limit = 5u)) },
        { _ -> zyra.getDevice(GetDevice("dev_0001")) },
        { n -> zyra.cancelMlJob(CancelMlJob("mlj_chaos_$n")) },
    )
    val started = System.nanoTime()
    for (first in 0 until calls step BATCH) {
        control("DELETE", "journal")
        workers(first, minOf(BATCH, calls - first), concurrency) { n ->
            val began = System.nanoTime()
            val outcome: Any? = try {
                mix[n % mix.size](n)
                null
            } catch (error: ZkitException) {
                error.facts.kind
            } catch (error: Throwable) {
                error
            }
            val tookMs = (System.nanoTime() - began) / 1_000_000
            synchronized(lock) {
                figures.calls++
                if (tookMs > DEADLINE_MS.toLong() + 500) figures.late++
                when (outcome) {
                    null -> figures.successes++
                    is String -> figures.typed[outcome] = (figures.typed[outcome] ?: 0) + 1
                    else -> figures.untyped += outcome.toString()
                }
            }
        }
        val journal = journal()
        figures.faultsMet += journal.count { it["fault"] != null }
        // Each call cancels a job of its own: a cancel path acted on twice is a request acted on twice. A
        // request a fault stopped was not acted on (retrying it after a 429 is safe); a delayed one was.
        figures.duplicated += journal
            .filter { it["fault"] == null || it["fault"] == "delay" }
            .filter { it["method"] == "POST" && (it["path"] as String).contains("/ml/jobs/mlj_chaos_") }
            .groupingBy { it["path"] }.eachCount().count { it.value > 1 }
    }
    figures.elapsedS = (System.nanoTime() - started) / 1e9
    control("POST", "chaos", mapOf("rate" to 0))

    val warmUp = cheapCalls / 10
    workers(0, warmUp, concurrency) { zyra.getSdkInfo() }
    System.gc()
    figures.rssWarmKib = rssKib()
    workers(0, cheapCalls - warmUp, concurrency) { zyra.getSdkInfo() }
    System.gc()
    figures.rssAfterKib = rssKib()
    figures.cheapCalls = cheapCalls
    listOf(zerokie, zenifra, zenovay, zyra).forEach { it.close() }
    return figures
}

/** The short chaos run of the suite. */
object ChaosTests : Suite("chaos") {
    init {
        test("every call ends typed in time, and nothing is acted on twice") {
            val figures = chaos(calls = 450, concurrency = 16, faultRate = 0.1, cheapCalls = 1_000)
            println(figures.table("Kotlin"))
            assertEquals(450, figures.calls, "calls")
            check(figures.faultsMet > 20) { figures.table("Kotlin") }
            assertEquals(emptyList<String>(), figures.untyped, "untyped errors")
            assertEquals(450, figures.successes + figures.typed.values.sum(), "every call ended")
            assertEquals(0 to 0, figures.duplicated to figures.late, "acted on twice, late")
            // The 50 cancels of jobs that do not exist answer 404, but for the few a fault stopped.
            check((figures.typed["not_found"] ?: 0) in 35..50) { "the cancels of jobs that do not exist: ${figures.typed}" }
            assertEquals(null, figures.typed["conflict"], "a create acted on twice meets its own name")
            check(figures.successes > 300) { figures.table("Kotlin") }
        }
    }
}

/** The full chaos run, printing its figures. */
fun main(args: Array<String>) {
    val (calls, concurrency, cheap) = listOf(10_000, 64, 100_000).mapIndexed { i, default -> args.getOrNull(i)?.toIntOrNull() ?: default }
    Sandbox.start().use { sandbox ->
        println(runBlocking { sandbox.chaos(calls, concurrency, 0.1, cheap) }.table("Kotlin"))
    }
}
