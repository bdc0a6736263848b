package dev.zkit.test

import dev.zkit.CallSettings
import dev.zkit.ClientSettings
import dev.zkit.Zenifra
import dev.zkit.Zenovay
import dev.zkit.Zyra
import dev.zkit.Zerokie
import dev.zkit.ZkitException
import java.io.File

/**
 * The cross-language scenario files in tests/scenarios/ through the Kotlin client's `callJson`, exactly
 * as core/tests/scenarios.rs runs them through the Rust one (see tests/scenarios/README.md). `callJson`
 * returns the output only, so the attempts a call took are the requests the sandbox journal gained.
 */
object ScenarioTests : Suite("scenarios") {
    private val files: List<File> =
        File(REPO, "tests/scenarios").listFiles { file -> file.name.endsWith(".json") }.orEmpty().sortedBy { it.name }

    init {
        test("the scenario files are found") {
            check(files.size >= 5) { "scenario files: $files" }
        }

        test("the matching rules") {
            check(matches(mapOf("a" to 1L), mapOf("a" to 1L, "b" to 2L)))
            check(!matches(mapOf("a" to 1L, "c" to 3L), mapOf("a" to 1L, "b" to 2L)))
            check(!matches(listOf(mapOf("a" to 1L)), listOf(mapOf("a" to 1L), mapOf("a" to 2L))))
            check(matches(null, null))
            check(!matches(null, listOf<Any>()))
            check(matches(1L, 1.0))
            check(!matches(1L, true) && !matches(true, 1L))
            check(!matches("1", 1L))
            check(matches(Json.parse("""{"a": [1, 2.5, "x\n\u00e9", true, null, {}]}"""), mapOf("a" to listOf(1L, 2.5, "x\né", true, null, emptyMap<String, Any>()))))
        }

        // One test per file, named after it.
        for (file in files) {
            test(file.nameWithoutExtension) { runScenario(file) }
        }
    }

    /** A client of any API, as the runner uses it: the dynamic call, and closing. */
    private class ScenarioClient(val callJson: suspend (String, String, CallSettings) -> String, val handle: AutoCloseable)

    /** A client of `api` on this sandbox from a scenario's settings (`api_key`, `auth_header`, the API's own). */
    private fun Sandbox.scenarioClient(api: String, baseUrl: String, values: Map<String, String>): ScenarioClient {
        val own = values - "api_key" - "auth_header"
        val settings = ClientSettings(
            baseUrl = baseUrl,
            jitterSeed = 7uL,
            authHeader = values["auth_header"],
            apiSettings = own.ifEmpty { null },
        )
        val key = values["api_key"]
        return when (api) {
            "zerokie" -> Zerokie(key, settings).let { c -> ScenarioClient({ o, i, s -> c.callJson(o, i, s) }, c) }
            "zenifra" -> Zenifra(key, settings).let { c -> ScenarioClient({ o, i, s -> c.callJson(o, i, s) }, c) }
            "zenovay" -> Zenovay(key, settings).let { c -> ScenarioClient({ o, i, s -> c.callJson(o, i, s) }, c) }
            "zyra" -> Zyra(key, settings).let { c -> ScenarioClient({ o, i, s -> c.callJson(o, i, s) }, c) }
            else -> fail("unknown api $api")
        }
    }

    @Suppress("UNCHECKED_CAST")
    private suspend fun Sandbox.runScenario(file: File) {
        val scenario = Json.parse(file.readText())
        val api = scenario["api"] as String
        val described = (control("GET", "") as Map<String, Any?>)["apis"][api]
        val named = mapOf(
            "default" to mapOf("api_key" to described["api_key"] as String),
            "wrong_key" to mapOf("api_key" to WRONG_KEY),
        ) + (scenario["clients"] as Map<String, Map<String, String>>? ?: emptyMap())
        val clients = named.mapValues { (_, values) -> scenarioClient(api, described["base_url"] as String, values) }
        try {
            (scenario["steps"] as List<*>).forEachIndexed { index, step ->
                try {
                    runStep(clients, step)
                } catch (failure: AssertionFailed) {
                    fail("${file.name} step $index: ${failure.message}")
                }
            }
        } finally {
            clients.values.forEach { it.handle.close() }
        }
    }

    private suspend fun Sandbox.runStep(clients: Map<String, ScenarioClient>, step: Any?) {
        step["advance_clock_seconds"]?.let { advanceClock((it as Number).toDouble()); return }
        step["fault"]?.let { @Suppress("UNCHECKED_CAST") fault(it as Map<String, Any?>); return }
        val operation = step["call"] as? String ?: fail("a step needs call, fault or advance_clock_seconds")
        val client = clients.getValue(step["client"] as String? ?: "default")
        val options = step["options"]
        val settings = CallSettings(
            maxRetries = (options["max_retries"] as Number?)?.toInt()?.toUInt(),
            timeoutMs = (options["timeout_ms"] as Number?)?.toLong()?.toULong(),
        )
        val expectedError = step["expect_error"]
        val sentBefore = journal().size
        val output = try {
            client.callJson(operation, Json.write(step["input"] ?: emptyMap<String, Any>()), settings)
        } catch (error: ZkitException) {
            check(expectedError != null) { "$operation: unexpected error $error" }
            val facts = error.facts
            val actual = mapOf(
                "kind" to facts.kind,
                "status" to facts.status?.toLong(),
                "code" to facts.code,
                "message" to facts.reason,
                "field" to facts.field,
                "retry_after_seconds" to facts.retryAfterSeconds,
            )
            check(matches(expectedError, actual)) { "$operation: expected error $expectedError, got $actual" }
            if (facts.kind == "invalid_input") {
                assertEquals(sentBefore, journal().size, "$operation: invalid input reached the sandbox")
            }
            return
        }
        val data = Json.parse(output)
        check(expectedError == null) { "$operation: expected error $expectedError, got $data" }
        check(matches(step["expect"], data)) { "$operation: expected ${step["expect"]}, got $data" }
        step["expect_attempts"]?.let { expected ->
            val attempts = journal().size - sentBefore
            assertEquals((expected as Number).toInt(), attempts, "$operation: attempts")
        }
    }
}
