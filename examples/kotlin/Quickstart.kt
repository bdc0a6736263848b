// zkit quickstart for Kotlin: put a static site on Zerokie, look at it, take it down; then scale a
// Zenifra project and read a Zenovay website's analytics (when ZENIFRA_API_KEY and ZENOVAY_API_KEY are
// set; ZENIFRA_PROJECT_ID names the project, the sandbox's web project by default).
//
//     scripts/build-mobile                # builds target/mobile/zkit.jar (the library and its native code)
//     cargo run -p zkit-sandbox           # prints ZEROKIE_BASE_URL and ZEROKIE_API_KEY for the sandbox
//     kotlinc -cp target/mobile/zkit.jar:jna.jar:kotlinx-coroutines-core-jvm.jar examples/kotlin/Quickstart.kt -d quickstart.jar
//     ZEROKIE_BASE_URL=... ZEROKIE_API_KEY=... java -cp quickstart.jar:target/mobile/zkit.jar:jna.jar:kotlinx-coroutines-core-jvm.jar:kotlin-stdlib.jar QuickstartKt
//
// Without ZEROKIE_BASE_URL it talks to the real API, with the key in ZEROKIE_API_KEY. On Android, call
// the same suspend functions from a coroutine scope (viewModelScope, lifecycleScope) instead of runBlocking.

import dev.zkit.Zenifra
import dev.zkit.Zenovay
import dev.zkit.Zyra
import dev.zkit.items
import dev.zkit.model.DeviceStatus
import dev.zkit.model.ListDevices
import kotlinx.coroutines.flow.toList
import dev.zkit.Zerokie
import dev.zkit.ZkitException
import dev.zkit.model.AddDomain
import dev.zkit.model.AppStatus
import dev.zkit.model.AppType
import dev.zkit.model.CreateApp
import dev.zkit.model.DeleteApp
import dev.zkit.model.GetAnalytics
import dev.zkit.model.DeployEvent
import dev.zkit.model.GetApp
import dev.zkit.model.GetInstances
import dev.zkit.model.GetNetworkLatency
import dev.zkit.model.GetProject
import dev.zkit.model.ListFiles
import dev.zkit.model.Period
import dev.zkit.model.UpdateInstances
import dev.zkit.DeploySource
import dev.zkit.deploySiteEvents
import dev.zkit.files
import kotlinx.coroutines.runBlocking

const val SITE = "zkit-quickstart"

val PAGES = mapOf(
    "index.html" to "<!doctype html><title>Hello</title><link rel=stylesheet href=assets/site.css><h1>Hello from zkit</h1>",
    "assets/site.css" to "h1 { font-family: sans-serif; color: teal }",
).mapValues { (_, text) -> text.toByteArray() }

fun main(): Unit = runBlocking {
    Zerokie().use { zerokie -> // the key and base URL come from the environment
        println("client: ${zerokie.describe()}") // shows a preview of the key at most

        val site = zerokie.createApp(CreateApp(SITE, kind = AppType.Static))
        println("created ${site.name} (${site.kind?.label()}), ${site.status.label()}, served at ${site.url}")

        // One call deploys the site: it takes the deploy lock (and keeps it alive), uploads what is new
        // or changed, deletes what is gone, and finalizes. A folder works too: DeploySource.folder("./dist").
        val events = zerokie.deploySiteEvents(SITE, DeploySource.files(PAGES))
        events.collect { event ->
            when (event) {
                is DeployEvent.FileDone -> println("uploaded ${event.path} (${event.length} bytes)")
                is DeployEvent.Done -> with(event.report) {
                    println("deploy $deployId: $filesUploaded files, $totalBytes bytes, cache purged: $cachePurged")
                }
                else -> {}
            }
        }
        val again = zerokie.deploySite(SITE, DeploySource.files(PAGES))
        println("deployed again: ${again.filesUploaded} uploaded, ${again.filesUnchanged} unchanged")

        println("files:")
        for (entry in zerokie.listFiles(ListFiles(SITE))) {
            println("  %-20s %5d bytes  %s".format(entry.path, entry.length.toLong(), entry.lastModified))
        }

        println("apps: " + zerokie.listApps().joinToString { "${it.name} (${it.status.label()})" })

        try {
            zerokie.addDomain(AddDomain(SITE, "example.com"))
        } catch (error: ZkitException.InvalidInput) {
            println("refused before sending: ${error.reason} (field ${error.field})")
        }

        zerokie.deleteApp(DeleteApp(SITE))
        try {
            zerokie.getApp(GetApp(SITE))
        } catch (error: ZkitException.NotFound) {
            println("cleaned up: ${error.reason} (status ${error.status}, request ${error.requestId})")
        }
    }
    if (System.getenv("ZENIFRA_API_KEY") != null) zenifra()
    if (System.getenv("ZENOVAY_API_KEY") != null) zenovay()
    if (System.getenv("ZYRA_API_KEY") != null) zyra()
}

suspend fun zenifra() {
    val id = System.getenv("ZENIFRA_PROJECT_ID") ?: "507f1f77bcf86cd799439011"
    Zenifra().use { zenifra -> // ZENIFRA_API_KEY, ZENIFRA_ORGANIZATION_ID (sent as x-organization-id)
        val project = zenifra.getProject(GetProject(id))
        println("zenifra: ${project.name} (${project.id})")
        val instances = zenifra.getInstances(GetInstances(id))
        try {
            zenifra.updateInstances(UpdateInstances(id, (instances.max ?: 1u) + 1u))
        } catch (error: ZkitException.PaymentRequired) {
            println("zenifra: the plan stops at ${instances.max} instances (${error.code})")
        }
        val latency = zenifra.getNetworkLatency(GetNetworkLatency(id, Period.Day))
        println("zenifra: p50 %.0f ms, p99 %.0f ms over 24h".format(latency.p50Ms, latency.p99Ms))
    }
}

suspend fun zenovay() {
    Zenovay().use { zenovay -> // ZENOVAY_API_KEY, sent as X-API-Key
        for (website in zenovay.listWebsites()) {
            val summary = zenovay.getAnalytics(GetAnalytics(website.id))
            println("zenovay: ${website.domain}: ${summary.visitors} visitors from ${summary.from} to ${summary.to}")
        }
    }
}

suspend fun zyra() {
    Zyra().use { zyra -> // ZYRA_API_KEY, sent as Bearer
        // A lazy walk: each page of 200 is fetched when the flow reaches it.
        val devices = zyra.listDevicesPages(ListDevices(limit = 200u)).items().toList()
        println("zyra: ${devices.size} compute nodes, ${devices.count { it.status == DeviceStatus.Pending }} waiting for approval")
    }
}

// Closed sets are sealed classes; values this version of zkit does not know arrive as `Unknown`.
fun AppStatus.label(): String = when (this) {
    AppStatus.Deploying -> "deploying"
    AppStatus.Running -> "running"
    AppStatus.Failed -> "failed"
    AppStatus.Stopped -> "stopped"
    is AppStatus.Unknown -> v1
}

fun AppType.label(): String = when (this) {
    AppType.Container -> "container"
    AppType.Static -> "static"
    is AppType.Unknown -> v1
}
