// zkit's Kotlin library (uniffi, target/mobile/zkit.jar) against the JDK's own HTTP clients, over the
// bench server.
//
//   java -cp target/bench-kotlin/bench.jar:CLASSPATH dev.zkit.bench.compare.BenchKt --url http://127.0.0.1:PORT [--quick]
//
// scripts/bench compiles this file with kotlinc and runs it (see bench/README.md). Prints one table: the
// figure, zkit's time, the peer's, zkit / peer, the goal, and whether it is met. The peers are the JDK's
// java.net.HttpURLConnection and java.net.http.HttpClient (HTTP/1.1, keep-alive); the JDK has no JSON
// parser and no library jar (OkHttp, org.json, Jackson) can be fetched on the machines this runs on, so
// the peers read the body into a String and take the names out by hand (see each figure). That makes
// them a floor: cheaper than any decoding into typed objects, which is what zkit does.
//
// On the JVM the just-in-time compiler needs a warm-up: every client makes as many calls as one round
// before anything is measured. The rounds of the clients are interleaved (zkit, peer, zkit, peer...),
// so that noise from the rest of the machine falls on all of them alike; each figure is the median.
package dev.zkit.bench.compare

import dev.zkit.ClientSettings
import dev.zkit.Zerokie
import dev.zkit.model.GetApp
import kotlinx.coroutines.runBlocking
import java.net.HttpURLConnection
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlin.system.exitProcess

private const val ZEROKIE_KEY = "zrk_bench_0c0ffee0c0ffee0c0ffee0c0ffee"
private const val APP = "app-1"
private const val LIST_LEN = 10_000

/**
 * What zkit aims for, per kind of figure (time ratio = zkit time / peer time): the goal's text and the
 * largest ratio that meets it. The goals are set against HttpURLConnection; the java.net.http.HttpClient
 * row has none of its own ([NO_GOAL]).
 */
private val GOALS = mapOf(
    "call" to ("<= 1.1x" to 1.1),
    // zkit decodes 10,000 typed records and hands them across the FFI; the peer only scans the text.
    "list" to ("<= 1.5x" to 1.5),
)
private val NO_GOAL: Pair<String, Double?> = "-" to null

private class Table {
    private val rows = mutableListOf<List<String>>()

    fun add(figure: String, zkit: String, peer: String, ratio: String, goal: String, met: String) {
        rows += listOf(figure, zkit, peer, ratio, goal, met)
        System.err.println("  $figure: zkit $zkit, $peer, $ratio, met $met")
    }

    fun print(title: String) {
        val header = listOf("figure", "zkit", "peer", "ratio", "goal", "met")
        val all = listOf(header) + rows
        val widths = header.indices.map { i -> all.maxOf { it[i].length } }
        println("== $title")
        all.forEachIndexed { n, row ->
            val cells = row.mapIndexed { i, cell -> if (i == 0) cell.padEnd(widths[i]) else cell.padStart(widths[i]) }
            println(cells.joinToString("  ").trimEnd())
            if (n == 0) println("-".repeat(widths.sum() + 2 * (widths.size - 1)))
        }
        println()
    }
}

private fun quotient(zkit: Double?, peer: Double?): Double? =
    if (zkit == null || peer == null || peer <= 0) null else zkit / peer

private fun ratio(zkit: Double?, peer: Double?): String = quotient(zkit, peer)?.let { "%.2fx".format(it) } ?: "-"

/**
 * Whether a time ratio meets its goal: "yes" when it is at most `limit`, "no" when above, "-" when either
 * is unknown (no goal for the row, or a figure failed).
 */
private fun meets(value: Double?, limit: Double?): String =
    if (value == null || limit == null) "-" else if (value <= limit) "yes" else "no"

private fun usPerCall(seconds: Double?, calls: Int): String =
    if (seconds == null) "failed" else "%.1f µs/call".format(seconds * 1e6 / calls)

private fun ms(seconds: Double?): String = if (seconds == null) "failed" else "%.1f ms".format(seconds * 1e3)

private fun median(values: List<Double>): Double {
    val sorted = values.sorted()
    val mid = sorted.size / 2
    return if (sorted.size % 2 == 1) sorted[mid] else (sorted[mid - 1] + sorted[mid]) / 2
}

/** One client in a figure: `setUp` makes the client and returns one measured run (seconds). */
private class Contender(val label: String, val setUp: () -> () -> Unit)

/**
 * Sets up every contender, warms each up with one unmeasured run, then times `rounds` runs of each,
 * interleaved, and returns the median per contender (null for one that failed, which is reported).
 */
private fun interleaved(rounds: Int, contenders: List<Contender>): List<Double?> {
    val runs = contenders.map { contender ->
        attempt(contender.label) {
            val run = contender.setUp()
            run()
            run
        }
    }
    val times = contenders.map { mutableListOf<Double>() }
    val failed = BooleanArray(contenders.size) { runs[it] == null }
    repeat(rounds) {
        for ((i, run) in runs.withIndex()) {
            if (run == null || failed[i]) continue
            val started = System.nanoTime()
            if (attempt(contenders[i].label) { run() } == null) {
                failed[i] = true
                continue
            }
            times[i] += (System.nanoTime() - started) / 1e9
        }
    }
    return times.mapIndexed { i, t -> if (failed[i] || t.isEmpty()) null else median(t) }
}

private fun <T> attempt(label: String, block: () -> T): T? =
    try {
        block()
    } catch (e: Throwable) {
        System.err.println("$label: ${e.javaClass.simpleName}: ${e.message}")
        null
    }

private fun zerokie(url: String): Zerokie =
    Zerokie(ZEROKIE_KEY, ClientSettings(baseUrl = "$url/zerokie", rateLimit = false))

/** A GET with HttpURLConnection (keep-alive: the body is read to its end and the stream closed). */
private fun urlConnectionGet(url: java.net.URL): String {
    val connection = url.openConnection() as HttpURLConnection
    connection.setRequestProperty("Authorization", "Bearer $ZEROKIE_KEY")
    connection.setRequestProperty("Accept", "application/json")
    val status = connection.responseCode
    check(status == 200) { "status $status" }
    return connection.inputStream.use { String(it.readBytes(), Charsets.UTF_8) }
}

/** The "name" of one app body, by indexOf: no JSON parse (the JDK has none). */
private fun nameByIndexOf(body: String): String {
    val key = "\"name\":\""
    val start = body.indexOf(key)
    check(start >= 0) { "no name in the body" }
    val from = start + key.length
    return body.substring(from, body.indexOf('"', from))
}

// ---------------------------------------------------------------------------------------------------
// Calls

private fun calls(url: String, calls: Int, rounds: Int, table: Table) {
    val appUrl = "$url/zerokie/v1/apps/$APP"
    var sink = 0L // every name is used, so no client's work can be dropped

    val zkit = Contender("zkit getApp") {
        val client = zerokie(url)
        val run = {
            runBlocking { repeat(calls) { sink += client.getApp(GetApp(APP)).name.length } }
        }
        run
    }
    val urlConnection = Contender("HttpURLConnection get") {
        val target = URI(appUrl).toURL()
        val run = { repeat(calls) { sink += nameByIndexOf(urlConnectionGet(target)).length } }
        run
    }
    val httpClient = Contender("java.net.http.HttpClient get") {
        // HTTP/1.1 as every other client here (the default, HTTP/2, would first offer an h2c upgrade).
        val client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        val uri = URI(appUrl)
        val run = {
            repeat(calls) {
                val request = HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer $ZEROKIE_KEY")
                    .header("Accept", "application/json")
                    .GET()
                    .build()
                val response = client.send(request, HttpResponse.BodyHandlers.ofString())
                check(response.statusCode() == 200) { "status ${response.statusCode()}" }
                sink += nameByIndexOf(response.body()).length
            }
        }
        run
    }

    val (zkitTime, urlConnectionTime, httpClientTime) = interleaved(rounds, listOf(zkit, urlConnection, httpClient))
    for ((peer, time, goal) in listOf(
        Triple("HttpURLConnection, name by indexOf", urlConnectionTime, GOALS.getValue("call")),
        Triple("java.net.http.HttpClient, name by indexOf", httpClientTime, NO_GOAL),
    )) {
        table.add(
            "getApp x$calls, sequential", usPerCall(zkitTime, calls), "${usPerCall(time, calls)} ($peer)",
            ratio(zkitTime, time), goal.first, meets(quotient(zkitTime, time), goal.second),
        )
    }
    check(sink > 0)
}

// ---------------------------------------------------------------------------------------------------
// The list

/**
 * The peer's decoding of the list: a minimal JSON scanner over the body as a String. It walks every
 * token of the array (objects, strings with their escapes, numbers, literals), so a malformed body
 * fails, but builds nothing: the keys are compared in place and only the top-level objects' "name"
 * strings are made. No JSON library is available to the JDK here (see the top of the file).
 */
private class NameScan(private val s: String) {
    private var i = 0

    fun names(): List<String> {
        val names = ArrayList<String>()
        space()
        expect('[')
        space()
        if (peek() == ']') return names.also { i++ }
        while (true) {
            objectNames(names)
            space()
            when (next()) {
                ',' -> space()
                ']' -> return names
                else -> fail("',' or ']'")
            }
        }
    }

    private fun objectNames(names: MutableList<String>) {
        expect('{')
        space()
        if (peek() == '}') {
            i++
            return
        }
        while (true) {
            val keyStart = i + 1
            val keyEnd = skipString()
            val isName = keyEnd - keyStart == 4 && s.regionMatches(keyStart, "name", 0, 4)
            space()
            expect(':')
            space()
            if (isName && peek() == '"') names += string() else skipValue()
            space()
            when (next()) {
                ',' -> space()
                '}' -> return
                else -> fail("',' or '}'")
            }
        }
    }

    private fun skipValue() {
        when (peek()) {
            '"' -> skipString()
            '{' -> {
                i++
                space()
                if (peek() == '}') {
                    i++
                    return
                }
                while (true) {
                    space(); skipString(); space(); expect(':'); space(); skipValue(); space()
                    when (next()) {
                        ',' -> {}
                        '}' -> return
                        else -> fail("',' or '}'")
                    }
                }
            }
            '[' -> {
                i++
                space()
                if (peek() == ']') {
                    i++
                    return
                }
                while (true) {
                    space(); skipValue(); space()
                    when (next()) {
                        ',' -> {}
                        ']' -> return
                        else -> fail("',' or ']'")
                    }
                }
            }
            't' -> literal("true")
            'f' -> literal("false")
            'n' -> literal("null")
            else -> {
                val start = i
                while (i < s.length && s[i] in "+-.eE0123456789") i++
                if (i == start) fail("a value")
            }
        }
    }

    /** Skips the string at `i`; returns the index of its closing quote's position (its content's end). */
    private fun skipString(): Int {
        expect('"')
        while (true) {
            if (i >= s.length) fail("the end of a string")
            when (s[i]) {
                '"' -> return i++
                '\\' -> i += if (s.getOrNull(i + 1) == 'u') 6 else 2
                else -> i++
            }
        }
    }

    private fun string(): String {
        val start = i + 1
        val end = skipString()
        val raw = s.substring(start, end)
        return if (raw.indexOf('\\') < 0) raw else unescape(raw)
    }

    private fun unescape(raw: String): String {
        val out = StringBuilder(raw.length)
        var k = 0
        while (k < raw.length) {
            val c = raw[k++]
            if (c != '\\') {
                out.append(c)
                continue
            }
            when (val e = raw[k++]) {
                'n' -> out.append('\n')
                't' -> out.append('\t')
                'r' -> out.append('\r')
                'b' -> out.append('\b')
                'f' -> out.append('\u000c')
                'u' -> out.append(raw.substring(k, k + 4).toInt(16).toChar()).also { k += 4 }
                else -> out.append(e)
            }
        }
        return out.toString()
    }

    private fun literal(word: String) {
        if (!s.startsWith(word, i)) fail(word)
        i += word.length
    }

    private fun space() {
        while (i < s.length && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++
    }

    private fun peek(): Char = if (i < s.length) s[i] else fail("more input")
    private fun next(): Char = peek().also { i++ }
    private fun expect(c: Char) {
        if (next() != c) fail("'$c'")
    }

    private fun fail(what: String): Nothing = throw IllegalStateException("bad JSON at $i: expected $what")
}

private fun list(url: String, rounds: Int, table: Table) {
    val zkit = Contender("zkit listApps") {
        val client = zerokie(url)
        val run = {
            val names = runBlocking { client.listApps().map { it.name } }
            check(names.size == LIST_LEN) { "${names.size} apps" }
        }
        run
    }
    // The peer: HttpURLConnection, the body read into a String, every name taken out by NameScan.
    val urlConnection = Contender("HttpURLConnection list") {
        val target = URI("$url/zerokie/v1/apps").toURL()
        val run = {
            val names = NameScan(urlConnectionGet(target)).names()
            check(names.size == LIST_LEN) { "${names.size} apps" }
        }
        run
    }
    val (zkitTime, peerTime) = interleaved(rounds, listOf(zkit, urlConnection))
    val (goal, limit) = GOALS.getValue("list")
    table.add(
        "listApps (10,000 apps, 2.7 MB) reading every name, median of $rounds", ms(zkitTime),
        "${ms(peerTime)} (HttpURLConnection + hand JSON scan)", ratio(zkitTime, peerTime), goal,
        meets(quotient(zkitTime, peerTime), limit),
    )
}

fun main(args: Array<String>) {
    var url: String? = null
    var quick = false
    var k = 0
    while (k < args.size) {
        when (val flag = args[k++]) {
            "--url" -> url = args.getOrNull(k++)
            "--quick" -> quick = true
            else -> {
                System.err.println("unknown argument $flag (usage: --url URL [--quick])")
                exitProcess(2)
            }
        }
    }
    val base = url?.trimEnd('/') ?: run {
        System.err.println("--url is needed")
        exitProcess(2)
    }
    val (sequential, rounds, listRounds) = if (quick) Triple(500, 1, 3) else Triple(2_000, 5, 5)
    val jvm = "${System.getProperty("java.vm.name")} ${System.getProperty("java.version")}"
    println("kotlin ${KotlinVersion.CURRENT}, $jvm")
    val table = Table()
    calls(base, sequential, rounds, table)
    list(base, listRounds, table)
    table.print(
        "Kotlin ${KotlinVersion.CURRENT}, JVM ${System.getProperty("java.version")}: zkit vs HttpURLConnection, " +
            "java.net.http.HttpClient (time ratio zkit/peer; lower is better; met: the goal is met)",
    )
    // Ends the JVM at once, whatever threads the clients left behind.
    exitProcess(0)
}
