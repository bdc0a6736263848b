package dev.zkit.test

import dev.zkit.CallSettings
import dev.zkit.ClientSettings
import dev.zkit.Zenifra
import dev.zkit.ZkitException
import dev.zkit.model.*

const val WEB = "507f1f77bcf86cd799439011"
const val WORKER = "507f191e810c19729de860ea"

/** A sandbox credential or value by its name in `GET /__sandbox/` (such as `organization_key`). */
@Suppress("UNCHECKED_CAST")
fun Sandbox.credential(api: String, name: String): String =
    ((control("GET", "") as Map<String, Any?>)["apis"][api]["credentials"][name]) as String

fun Sandbox.zenifra(key: String = credential("zenifra", "organization_key"), settings: ClientSettings.() -> Unit = {}): Zenifra =
    Zenifra(key, ClientSettings(baseUrl = "$url/zenifra/v1", jitterSeed = 7uL).apply(settings))

fun Sandbox.lastHeaders(): Map<String, Any?> = @Suppress("UNCHECKED_CAST") (journal().last()["headers"] as Map<String, Any?>)

/** Zenifra through the typed methods over HTTP against the sandbox (the Kotlin twin of
 * core/tests/zenifra.rs and bindings-python/tests/test_zenifra.py). */
object ZenifraTests : Suite("zenifra") {
    init {
        test("a project from settings to deploys, metrics and storage") {
            zenifra { apiSettings = mapOf("organization_id" to "org_sandbox") }.use { zenifra ->
                val project = zenifra.getProject(GetProject(WEB))
                assertEquals(Triple("web", ProjectState.Running, Plan.Starter), Triple(project.name, project.state, project.plan), "project")
                val page = zenifra.listProjects(ListProjects(kind = ProjectType.Http, page = 1u, limit = 15u))
                check(page.data.map { it.id } == listOf(WEB)) { "http projects: ${page.data.map { it.id }}" }

                assertEquals("storefront", zenifra.updateProjectName(UpdateProjectName(WEB, "storefront")).name, "renamed")
                assertEquals("The shop", zenifra.updateProjectDescription(UpdateProjectDescription(WEB, "The shop")).description, "description")
                assertEquals("shop.example.com", zenifra.updateDomain(UpdateDomain(WEB, "shop.example.com")).domain, "domain")
                val envs = zenifra.updateEnvs(UpdateEnvs(WEB, mapOf("FEATURE_X" to "on"), listOf("LOG_LEVEL")))
                check(envs.envs["FEATURE_X"] == "on" && "LOG_LEVEL" !in envs.envs) { "envs: ${envs.envs}" }
                assertEquals(envs.envs, zenifra.getEnvs(GetEnvs(WEB)).envs, "envs read back")

                val deployment = zenifra.updateImage(UpdateImage(WEB, "registry.zenifra.dev/web:2.0.0"))
                assertEquals(DeploymentStatus.Building, deployment.status, "a new deployment builds")
                advanceClock(60.0)
                val history = zenifra.listDeployments(ListDeployments(WEB))
                assertEquals(deployment.id to DeploymentStatus.Live, history[0].id to history[0].status, "newest first, live")
                assertEquals(DeploymentStatus.Superseded, history[1].status, "the one before")
                assertEquals("main", zenifra.deployBranch(DeployBranch(WEB, "main")).branch, "branch deploy")

                assertEquals(Period.Day, zenifra.getMetrics(GetMetrics(WEB, Period.Day)).period, "metrics period")
                val requests = zenifra.getNetworkRequests(GetNetworkRequests(WEB, Period.Day))
                assertEquals(requests.total, requests.series.sumOf { it.count }, "the series sums to the total")
                val codes = zenifra.getNetworkStatusCodes(GetNetworkStatusCodes(WEB, Period.Day))
                assertEquals(requests.total, codes.codes.sumOf { it.count }, "status codes sum to the total")
                val latency = zenifra.getNetworkLatency(GetNetworkLatency(WEB))
                check(latency.p50Ms <= latency.p90Ms && latency.p90Ms <= latency.p99Ms) { "latency: $latency" }
                val paths = zenifra.getNetworkTopPaths(GetNetworkTopPaths(WEB))
                check(paths.paths.zipWithNext().all { (a, b) -> a.requests >= b.requests }) { "top paths: $paths" }
                assertEquals(5, zenifra.getLogs(GetLogs(WEB, limit = 5u)).size, "log lines")

                assertEquals(3u to 3u, zenifra.updateInstances(UpdateInstances(WEB, 3u)).let { it.count to it.max }, "scaled")
                val pastPlan = assertThrows<ZkitException.PaymentRequired> { zenifra.updateInstances(UpdateInstances(WEB, 4u)) }
                assertEquals(402 to "plan_limit", pastPlan.facts.status to pastPlan.code, "402")
                assertEquals(Plan.Pro, zenifra.changePlan(ChangePlan(WEB, Plan.Pro)).plan, "plan")
                assertEquals(4u, zenifra.updateInstances(UpdateInstances(WEB, 4u)).count, "scaled on pro")
                assertEquals(4u, zenifra.getInstances(GetInstances(WEB)).count, "instances read back")
                assertEquals(50u, zenifra.updateStorageSize(UpdateStorageSize(WEB, 50u)).sizeGb, "storage")
                assertEquals(50u, zenifra.getStorageUsage(GetStorageUsage(WEB)).sizeGb, "storage read back")

                advanceClock(60.0) // the branch deploy goes live
                assertEquals(ProjectState.Stopped, zenifra.stopProject(StopProject(WEB)).state, "stopped")
                val again = assertThrows<ZkitException.Conflict> { zenifra.stopProject(StopProject(WEB)) }
                assertEquals("invalid_state", again.code, "409 code")
                assertEquals(ProjectState.Running, zenifra.resumeProject(ResumeProject(WEB)).state, "resumed")
            }
        }

        test("organization keys go as Bearer with x-organization-id; project keys in x-api-key") {
            val settings = ClientSettings(baseUrl = "$url/zenifra/v1", jitterSeed = 7uL)
            Zenifra(credential("zenifra", "organization_key"), settings, organizationId = "org_sandbox").use { zenifra ->
                zenifra.getProject(GetProject(WEB))
                val headers = lastHeaders()
                check((headers["authorization"] as String).startsWith("Bearer znf_") && "x-api-key" !in headers) { "$headers" }
                assertEquals("org_sandbox", headers["x-organization-id"], "organization header")
                check(!zenifra.describe().contains(credential("zenifra", "organization_key"))) { zenifra.describe() }
            }
            zenifra { authHeader = "x-api-key" }.use { zenifra ->
                zenifra.getProject(GetProject(WEB))
                check((lastHeaders()["x-api-key"] as String).startsWith("znf_")) { "${lastHeaders()}" }
            }
            zenifra(credential("zenifra", "project_key")).use { zenifra ->
                assertEquals("web", zenifra.getProject(GetProject(WEB)).name, "own project")
                check((lastHeaders()["x-api-key"] as String).startsWith("zpk_")) { "${lastHeaders()}" }
                assertThrows<ZkitException.Forbidden> { zenifra.getProject(GetProject(WORKER)) }
            }
        }

        test("the documented errors are typed") {
            zenifra("znf_not_a_sandbox_key_000000").use { wrong ->
                val unauthorized = assertThrows<ZkitException.Unauthorized> { wrong.getProject(GetProject(WEB)) }
                assertEquals(401, unauthorized.facts.status, "401")
            }
            zenifra(credential("zenifra", "read_only_key")).use { reader ->
                reader.getProject(GetProject(WEB))
                val denied = assertThrows<ZkitException.Forbidden> { reader.stopProject(StopProject(WEB)) }
                assertEquals("insufficient_permissions", denied.code, "code")
            }
            Zenifra(credential("zenifra", "organization_key"), ClientSettings(baseUrl = "$url/zenifra/v1"), organizationId = "org_other").use { wrongOrg ->
                assertThrows<ZkitException.Forbidden> { wrongOrg.getProject(GetProject(WEB)) }
            }
            zenifra(credential("zenifra", "allowlisted_key")).use { allowlisted ->
                assertThrows<ZkitException.Forbidden> { allowlisted.getProject(GetProject(WEB)) }
            }
            zenifra().use { zenifra ->
                assertThrows<ZkitException.NotFound> { zenifra.getProject(GetProject("000000000000000000000000")) }
            }
        }

        test("bad input and settings are refused before sending") {
            val unknown = assertThrows<ZkitException.InvalidInput> { zenifra { apiSettings = mapOf("region" to "eu") } }
            assertEquals("region", unknown.field, "unknown setting")
            val header = assertThrows<ZkitException.InvalidInput> { zenifra { authHeader = "cookie" } }
            assertEquals("auth_header", header.field, "auth header")
            zenifra().use { zenifra ->
                val refusals = listOf<Pair<String, suspend () -> Unit>>(
                    "count" to { zenifra.updateInstances(UpdateInstances(WEB, 0u)) },
                    "limit" to { zenifra.listProjects(ListProjects(limit = 101u)) },
                    "envs" to { zenifra.updateEnvs(UpdateEnvs(WEB, mapOf("A=B" to "1"), listOf())) },
                    "period" to { zenifra.getMetrics(GetMetrics(WEB, Period.Unknown("2h"))) },
                    "branch" to { zenifra.deployBranch(DeployBranch(WEB, "a..b")) },
                    "id" to { zenifra.getProject(GetProject("")) },
                )
                for ((field, call) in refusals) {
                    val refused = assertThrows<ZkitException.InvalidInput>(field) { call() }
                    assertEquals(field, refused.field, "field")
                }
            }
            assertEquals(0, journal().size, "nothing reached the sandbox")
        }

        test("100 requests a minute per project: the server's 429, and the limiter that avoids it") {
            zenifra { rateLimit = false; maxRetries = 0u }.use { unpaced ->
                repeat(100) { unpaced.getInstances(GetInstances(WEB)) }
                unpaced.getInstances(GetInstances(WORKER)) // another project has its own budget
                val limited = assertThrows<ZkitException.RateLimited> { unpaced.getInstances(GetInstances(WEB)) }
                check(limited.facts.status == 429 && (limited.retryAfterSeconds ?: 0.0) > 0.0) { "$limited" }
            }
            advanceClock(60.0)
            zenifra { maxRetries = 0u }.use { paced ->
                repeat(100) { paced.getInstances(GetInstances(WEB), CallSettings()) }
                // The 101st would wait for the minute to pass; with a deadline of 2 s it is refused unsent.
                val held = assertThrows<ZkitException.RateLimited> {
                    paced.getInstances(GetInstances(WEB), CallSettings(deadlineMs = 2_000u))
                }
                check(held.status == null && (held.retryAfterSeconds ?: 0.0) > 50.0) { "$held" }
            }
            check(journal().takeLast(100).all { it["status"] == 200L }) { "a paced client never meets a 429" }
        }
    }
}
