package dev.zkit.test

import dev.zkit.ClientSettings
import dev.zkit.Zerokie
import kotlinx.coroutines.delay
import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.util.concurrent.TimeUnit

const val SANDBOX_KEY = "zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee"
const val WRONG_KEY = "zrk_not_a_sandbox_key_0000"
const val APPS = "/zerokie/v1/apps"

/** The repository root: `ZKIT_REPO`, else the nearest folder up from here holding tests/scenarios. */
val REPO: File by lazy {
    System.getenv("ZKIT_REPO")?.let { return@lazy File(it).absoluteFile }
    var dir: File? = File("").absoluteFile
    while (dir != null && !File(dir, "tests/scenarios").isDirectory) dir = dir.parentFile
    dir ?: error("cannot find the repository root: set ZKIT_REPO")
}

/**
 * The zkit sandbox, driven by its control API (`/__sandbox/`): the one at `ZKIT_SANDBOX_URL` when
 * that is set, else a `zkit-sandbox` process (`ZKIT_SANDBOX_BIN`, or target/debug/zkit-sandbox) on
 * 127.0.0.1 and a port of its choosing, stopped by [close].
 */
class Sandbox private constructor(
    val url: String,
    private val process: Process?,
    /** The PEM file of the authority an HTTPS sandbox's certificate is signed by. */
    val caFile: String? = null,
) : AutoCloseable {
    val zerokieUrl: String get() = "$url/zerokie"

    companion object {
        /** With `tls`, a sandbox process of its own that speaks HTTPS (see [caFile]). */
        fun start(tls: Boolean = false): Sandbox {
            if (!tls) System.getenv("ZKIT_SANDBOX_URL")?.takeIf { it.isNotBlank() }?.let { return Sandbox(it.trimEnd('/'), null) }
            val binary = System.getenv("ZKIT_SANDBOX_BIN")?.let(::File) ?: File(REPO, "target/debug/zkit-sandbox")
            check(binary.canExecute()) { "no sandbox binary at $binary: run `cargo build -p zkit-sandbox` first" }
            val process = ProcessBuilder(listOf(binary.path, "--port", "0") + if (tls) listOf("--tls") else emptyList())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start()
            val stdout = process.inputStream.bufferedReader()
            val first = stdout.readLine().orEmpty().trim()
            if (!first.startsWith("ZKIT_SANDBOX_URL=")) {
                process.destroyForcibly()
                error("the sandbox did not start: '$first'")
            }
            val caFile = if (tls) stdout.readLine().orEmpty().substringAfter('=').trim() else null
            // Keep reading what it prints, so that a full pipe never blocks it.
            Thread { stdout.readText() }.apply { isDaemon = true }.start()
            val sandbox = Sandbox(first.substringAfter('='), process, caFile)
            Runtime.getRuntime().addShutdownHook(Thread { sandbox.close() })
            return sandbox
        }
    }

    override fun close() {
        process ?: return
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    /** One control request; the answer's JSON, or null for an empty body. */
    fun control(method: String, path: String, body: Any? = null): Any? {
        val connection = URI("$url/__sandbox/$path").toURL().openConnection() as HttpURLConnection
        try {
            connection.requestMethod = method
            connection.connectTimeout = 10_000
            connection.readTimeout = 10_000
            connection.setRequestProperty("content-type", "application/json")
            if (body != null) {
                connection.doOutput = true
                connection.outputStream.use { it.write(Json.write(body).toByteArray()) }
            }
            val status = connection.responseCode
            val stream = if (status < 400) connection.inputStream else connection.errorStream
            val text = stream?.use { it.readBytes().decodeToString() }.orEmpty()
            check(status < 400) { "sandbox control $method $path answered $status: $text" }
            return if (text.isBlank()) null else Json.parse(text)
        } finally {
            connection.disconnect()
        }
    }

    /** State, journal, faults and clock back to the start. */
    fun reset() {
        control("POST", "reset")
    }

    fun advanceClock(seconds: Double) {
        control("POST", "clock", mapOf("advance_seconds" to seconds))
    }

    /** Every API request received since the last reset, oldest first. */
    @Suppress("UNCHECKED_CAST")
    fun journal(): List<Map<String, Any?>> = control("GET", "journal") as List<Map<String, Any?>>

    /** Queues a fault: method, path (a prefix), times, kind, status, body, retry_after, delay_ms. */
    fun fault(vararg fields: Pair<String, Any?>) {
        fault(mapOf(*fields))
    }

    fun fault(fields: Map<String, Any?>) {
        control("POST", "faults", fields)
    }

    /** Waits until a request whose path ends with `suffix` has reached the sandbox. */
    suspend fun arrived(suffix: String) {
        val deadline = System.nanoTime() + 5_000_000_000L
        while (journal().none { (it["path"] as String).endsWith(suffix) }) {
            check(System.nanoTime() < deadline) { "no request to …$suffix reached the sandbox" }
            delay(5)
        }
    }

    /** A client on this sandbox with a fixed jitter seed; `settings` changes the rest. */
    fun client(key: String = SANDBOX_KEY, settings: ClientSettings.() -> Unit = {}): Zerokie =
        Zerokie(key, ClientSettings(baseUrl = zerokieUrl, jitterSeed = 7uL).apply(settings))
}
