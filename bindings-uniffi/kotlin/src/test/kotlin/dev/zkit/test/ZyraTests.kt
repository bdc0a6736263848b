package dev.zkit.test

import dev.zkit.CallSettings
import dev.zkit.ClientSettings
import dev.zkit.Zyra
import dev.zkit.ZkitException
import dev.zkit.items
import dev.zkit.model.*
import dev.zkit.pages
import kotlinx.coroutines.flow.count
import kotlinx.coroutines.flow.toList

fun Sandbox.zyra(key: String? = credential("zyra", "admin_key"), settings: ClientSettings.() -> Unit = {}): Zyra =
    Zyra(key, ClientSettings(baseUrl = "$url/zyra/api/v1", jitterSeed = 7uL).apply(settings))

fun Sandbox.zyraLogin(password: String = credential("zyra", "admin_password")): Zyra =
    Zyra(null, ClientSettings(baseUrl = "$url/zyra/api/v1", jitterSeed = 7uL), email = credential("zyra", "admin_email"), password = password)

/** The paths of the Zyra requests the sandbox saw since the last reset, without the base path, with their statuses. */
private fun Sandbox.zyraSeen(): List<Pair<String, Any?>> =
    journal().map { (it["path"] as String).removePrefix("/zyra/api/v1") to (it["status"] as Number?)?.toInt() }

/** Zyra through the typed methods over HTTP against the sandbox: page walks as Flows over more than 500
 * items, logins that renew themselves, keys, roles, byte downloads and the per-class rate limits. */
object ZyraTests : Suite("zyra") {
    init {
        test("a walk's items() and pages() Flows go through more than 500 devices lazily, a page at a time") {
            zyra().use { zyra ->
                val first = zyra.listDevices(ListDevices())
                assertEquals(Triple(0uL, 50u, 50), Triple(first.offset, first.limit, first.items.size), "first page")
                check(first.total > 500uL) { "${first.total}" }
                reset()
                val walk = zyra.listDevicesPages(ListDevices(limit = 200u))
                assertEquals(0, journal().size, "nothing fetched before collecting")
                val devices = walk.items().toList()
                assertEquals(first.total.toInt(), devices.size, "every device")
                assertEquals(devices.size, devices.map { it.id }.toSet().size, "no device twice")
                assertEquals(3, journal().size, "one request a page")
                val pending = zyra.listDevicesPages(ListDevices(status = DeviceStatus.Pending)).pages().toList()
                check(pending.size == 1 && pending[0].items.all { it.status == DeviceStatus.Pending }) { "$pending" }
                val capped = assertThrows<ZkitException.Decode> { zyra.listDevicesPages(ListDevices(limit = 100u), maxPages = 2u).pages().count() }
                check(capped.message!!.contains("after 2 pages")) { "${capped.message}" }
                val refused = assertThrows<ZkitException.InvalidInput> { zyra.listDevices(ListDevices(limit = 201u)) }
                assertEquals("limit", refused.facts.field, "field")
            }
        }

        test("a login client logs in once, and after a 401 refreshes once and goes again") {
            zyraLogin().use { zyra ->
                check(!zyra.describe().contains(credential("zyra", "admin_password"))) { zyra.describe() }
                zyra.getOrganization(GetOrganization("org_sandbox"))
                zyra.getOrganization(GetOrganization("org_sandbox"))
                assertEquals(listOf("/auth/login", "/organizations/org_sandbox", "/organizations/org_sandbox"), zyraSeen().map { it.first }, "one login")
                advanceClock(901.0)
                zyra.getOrganization(GetOrganization("org_sandbox"))
                assertEquals(
                    listOf("/organizations/org_sandbox" to 401, "/auth/refresh" to 200, "/organizations/org_sandbox" to 200),
                    zyraSeen().drop(3),
                    "renewed once",
                )
            }
            zyraLogin(password = "not-the-password").use { wrong ->
                val error = assertThrows<ZkitException.Unauthorized> { wrong.getOrganization(GetOrganization("org_sandbox")) }
                assertEquals("invalid_credentials", error.code, "code")
                check(!error.toString().contains("not-the-password")) { "$error" }
            }
        }

        test("keys are shown once, listed by prefix, capped at ten and revoked at once") {
            zyra(credential("zyra", "ops_key")).use { ops ->
                val created = ops.createApiKey(CreateApiKey("ci-deploy"))
                check(created.key.value.startsWith("zyra_sk_") && created.prefix == created.key.value.take(18)) { created.prefix }
                check(!created.toString().contains(created.key.value)) { "a new key prints as a preview" }
                val listed = ops.listApiKeysPages(ListApiKeys()).items().toList()
                check(listed.any { it.id == created.id && it.prefix == created.prefix }) { "$listed" }
                val eleventh = assertThrows<ZkitException.Conflict> { ops.createApiKey(CreateApiKey("one-too-many")) }
                assertEquals("key_limit_reached", eleventh.code, "code")
                zyra(created.key.value).use { fresh ->
                    fresh.getOrganization(GetOrganization("org_sandbox"))
                    ops.revokeApiKey(RevokeApiKey(created.id))
                    val revoked = assertThrows<ZkitException.Unauthorized> { fresh.getOrganization(GetOrganization("org_sandbox")) }
                    assertEquals("key_revoked", revoked.code, "code")
                }
            }
            zyra(credential("zyra", "member_key")).use { member ->
                val denied = assertThrows<ZkitException.Forbidden> { member.listInvoices(ListInvoices()) }
                assertEquals(403 to "insufficient_role", denied.facts.status to denied.code, "403")
            }
        }

        test("an invoice PDF arrives as bytes") {
            zyra().use { zyra ->
                val invoice = zyra.listInvoices(ListInvoices()).items.first()
                val pdf = zyra.downloadInvoicePdf(DownloadInvoicePdf(invoice.id))
                assertEquals("application/pdf", pdf.contentType, "type")
                check(String(pdf.content.copyOfRange(0, 5)) == "%PDF-" && String(pdf.content).trimEnd().endsWith("%%EOF")) { "a PDF" }
            }
        }

        test("the limiter keeps creates under 5 a minute; unpaced, the sixth is a 429 with Retry-After") {
            val hook = { n: Int -> CreateWebhookEndpoint("https://hooks.example.com/$n", listOf("job.succeeded")) }
            zyra { rateLimit = false; maxRetries = 0u }.use { unpaced ->
                repeat(5) { unpaced.createWebhookEndpoint(hook(it)) }
                val limited = assertThrows<ZkitException.RateLimited> { unpaced.createWebhookEndpoint(hook(5)) }
                assertEquals("rate_limited", limited.code, "code")
                check(limited.retryAfterSeconds != null && limited.retryAfterSeconds!! in 1.0..60.0) { "${limited.retryAfterSeconds}" }
                // Reads draw from their own budget.
                unpaced.listWebhookEndpoints(ListWebhookEndpoints())
            }
            reset()
            zyra { maxRetries = 0u }.use { paced ->
                repeat(30) { paced.getOrganization(GetOrganization("org_sandbox")) }
                // The 31st would wait for the minute to pass; with a deadline of 2 s it is refused unsent.
                val held = assertThrows<ZkitException.RateLimited> {
                    paced.getOrganization(GetOrganization("org_sandbox"), CallSettings(deadlineMs = 2_000u))
                }
                check(held.status == null && (held.retryAfterSeconds ?: 0.0) > 50.0) { "$held" }
                check(journal().none { (it["status"] as Number?)?.toInt() == 429 }) { "the 31st read waited for its slot" }
            }
        }

        test("a raised limit is a setting; an unknown name is refused") {
            zyra { maxRetries = 0u; rateLimits = mapOf("read" to 2u) }.use { raised ->
                repeat(2) { raised.getOrganization(GetOrganization("org_sandbox")) }
                val held = assertThrows<ZkitException.RateLimited> {
                    raised.getOrganization(GetOrganization("org_sandbox"), CallSettings(deadlineMs = 2_000u))
                }
                check(held.reason.contains("limit of 2 per")) { held.reason }
            }
            val refused = assertThrows<ZkitException.InvalidInput> { zyra { rateLimits = mapOf("reads" to 300u) } }
            assertEquals("rate_limits", refused.field, "field")
        }
    }
}
