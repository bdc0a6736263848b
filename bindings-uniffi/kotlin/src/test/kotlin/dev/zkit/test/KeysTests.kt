package dev.zkit.test

import dev.zkit.ZkitException
import dev.zkit.model.*

/**
 * The leak scan: with each API's key, calls (typed and by name) meet answers that echo the key back in
 * every place a client reads (the error's message, code, details and request id, and the headers), at
 * every status the taxonomy maps; everything the caller can see (toString, each property of the
 * exceptions, their stack traces, the clients' toString) and the sandbox's journal is searched for any
 * key. Goal and assertion: none.
 */
object KeysTests : Suite("keys") {
    private val STATUSES = listOf(400, 401, 402, 403, 404, 409, 429, 500, 502)

    init {
        test("no key shows in errors, clients or the journal") {
            val keys = mapOf(
                "zerokie" to SANDBOX_KEY,
                "zenifra" to credential("zenifra", "organization_key"),
                "zenovay" to credential("zenovay", "personal_token"),
                "zyra" to credential("zyra", "admin_key"),
            )
            val settings: dev.zkit.ClientSettings.() -> Unit = { rateLimit = false; maxRetries = 1u }
            val zerokie = client(settings = settings)
            val zenifra = zenifra { this.settings(); apiSettings = mapOf("organization_id" to "org_sandbox") }
            val zenovay = zenovay(settings = settings)
            val zyra = zyra(settings = settings)
            val calls: List<suspend () -> Any> = listOf(
                { zerokie.listApps() },
                { zenifra.getProject(GetProject(WEB)) },
                { zenovay.listWebsites() },
                { zyra.listDevices(ListDevices(limit = 5u)) },
                { zyra.callJson("list_devices", "{}") },
            )
            val seen = mutableListOf(zerokie.toString(), zenifra.toString(), zenovay.toString(), zyra.toString())
            for (call in calls) {
                for (status in STATUSES) {
                    control("DELETE", "faults")
                    fault("status" to status, "times" to 3, "retry_after" to "0", "echo_credentials" to true)
                    val error = assertThrows<ZkitException> { call() }
                    assertEquals(status, error.facts.status, "status")
                    seen += listOf(error.toString(), error.message.orEmpty(), error.facts.toString(), error.stackTraceToString())
                }
            }
            listOf(zerokie, zenifra, zenovay, zyra).forEach { it.close() }
            val text = seen.joinToString("\n")
            val journal = Json.write(journal())
            check(text.contains("you sent")) { "the answers carried the keys: the scan is not vacuous" }
            for ((api, key) in keys) {
                assertEquals(0, text.windowed(key.length).count { it == key }, "times the $api key shows in what the caller sees")
                assertEquals(0, journal.windowed(key.length).count { it == key }, "times the $api key shows in the journal")
            }
        }
    }
}
