package dev.zkit.test

import dev.zkit.ClientSettings
import dev.zkit.Zenovay
import dev.zkit.ZkitException
import dev.zkit.model.*

fun Sandbox.zenovay(key: String = credential("zenovay", "personal_token"), settings: ClientSettings.() -> Unit = {}): Zenovay =
    Zenovay(key, ClientSettings(baseUrl = "$url/zenovay/api/external/v1", jitterSeed = 7uL).apply(settings))

/** Zenovay through the typed methods over HTTP against the sandbox (the Kotlin twin of
 * bindings-python/tests/test_zenovay.py). */
object ZenovayTests : Suite("zenovay") {
    init {
        test("websites, settings and analytics") {
            zenovay().use { zenovay ->
                assertEquals(listOf("site_shop", "site_blog"), zenovay.listWebsites().map { it.id }, "websites")
                val shop = zenovay.getWebsite(GetWebsite("site_shop"))
                assertEquals(Triple("shop.example.com", "Europe/Lisbon", false), Triple(shop.domain, shop.timezone, shop.public), "shop")
                val updated = zenovay.updateWebsite(UpdateWebsite("site_shop", name = "Shop EU", timezone = "Europe/Berlin", public = true))
                assertEquals(Triple("Shop EU", "Europe/Berlin", true), Triple(updated.name, updated.timezone, updated.public), "updated")
                val summary = zenovay.getAnalytics(GetAnalytics("site_shop", from = "2026-11-01", to = "2026-11-30"))
                assertEquals(Triple("site_shop", "2026-11-01", "2026-11-30"), Triple(summary.websiteId, summary.from, summary.to), "range")
                check(summary.pageviews >= summary.visitors && summary.visitors > 0uL && summary.bounceRate in 0.0..1.0) { "$summary" }
                assertEquals(summary, zenovay.getAnalytics(GetAnalytics("site_shop", from = "2026-11-01", to = "2026-11-30")), "deterministic")
                assertThrows<ZkitException.NotFound> { zenovay.getWebsite(GetWebsite("site_nowhere")) }
            }
        }

        test("X-API-Key by default, Bearer on request") {
            zenovay().use { it.listWebsites() }
            check("x-api-key" in lastHeaders() && "authorization" !in lastHeaders()) { "${lastHeaders()}" }
            zenovay { authHeader = "authorization" }.use { it.listWebsites() }
            check((lastHeaders()["authorization"] as String).startsWith("Bearer ") && "x-api-key" !in lastHeaders()) { "${lastHeaders()}" }
        }

        test("scopes, website-scoped keys and the documented error codes") {
            zenovay(credential("zenovay", "read_token")).use { reader ->
                check(reader.getAnalytics(GetAnalytics("site_blog")).visitors > 0uL) { "a read token reads" }
                val denied = assertThrows<ZkitException.Forbidden> { reader.updateWebsite(UpdateWebsite("site_blog", name = "Mine")) }
                assertEquals(403 to "insufficient_permissions", denied.facts.status to denied.code, "403")
            }
            zenovay(credential("zenovay", "site_key")).use { site ->
                assertEquals(listOf("site_blog"), site.listWebsites().map { it.id }, "one website")
                assertThrows<ZkitException.NotFound> { site.getWebsite(GetWebsite("site_shop")) }
            }
            zenovay("znv_not_a_sandbox_key_00000000").use { wrong ->
                val unauthorized = assertThrows<ZkitException.Unauthorized> { wrong.listWebsites() }
                assertEquals(401 to "invalid_api_key", unauthorized.facts.status to unauthorized.code, "401")
            }
            zenovay(credential("zenovay", "workspace_key")) { maxRetries = 0u }.use { zenovay ->
                repeat(120) { zenovay.getWebsite(GetWebsite("site_shop")) }
                val limited = assertThrows<ZkitException.RateLimited> { zenovay.getWebsite(GetWebsite("site_shop")) }
                assertEquals(429 to "rate_limit_exceeded", limited.facts.status to limited.code, "429")
                check((limited.retryAfterSeconds ?: 0.0) > 0.0) { "Retry-After: $limited" }
            }
        }

        test("bad input is refused before sending") {
            zenovay().use { zenovay ->
                val refusals = listOf<Pair<String, suspend () -> Unit>>(
                    "from" to { zenovay.getAnalytics(GetAnalytics("site_shop", from = "2026-13-01")) },
                    "from" to { zenovay.getAnalytics(GetAnalytics("site_shop", from = "2026-12-02", to = "2026-12-01")) },
                    "input" to { zenovay.updateWebsite(UpdateWebsite("site_shop")) },
                    "timezone" to { zenovay.updateWebsite(UpdateWebsite("site_shop", timezone = "Mars")) },
                    "id" to { zenovay.getWebsite(GetWebsite("")) },
                )
                for ((field, call) in refusals) {
                    assertEquals(field, assertThrows<ZkitException.InvalidInput>(field) { call() }.field, "field")
                }
            }
            assertEquals(0, journal().size, "nothing reached the sandbox")
        }
    }
}
