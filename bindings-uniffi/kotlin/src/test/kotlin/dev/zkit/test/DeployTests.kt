package dev.zkit.test

import dev.zkit.DeploySettings
import dev.zkit.DeploySource
import dev.zkit.SiteEntry
import dev.zkit.WaitSettings
import dev.zkit.ZkitException
import dev.zkit.deploySiteEvents
import dev.zkit.files
import dev.zkit.folder
import dev.zkit.model.*
import dev.zkit.newDeploySessionId
import kotlinx.coroutines.*
import kotlinx.coroutines.flow.toList
import java.io.File
import java.nio.file.Files

/** The static-site deploy (`deploySite`, `deploySiteEvents`) and the waiters against the sandbox: the
 * Kotlin twins of bindings-python/tests/test_deploy.py and core/tests/deploy.rs. */
object DeployTests : Suite("deploy") {
    private const val APP = "my-site"
    private const val MANIFEST = ".zkit-manifest.json"

    /** What the sandbox recorded for the app: `deployments` (finalized) and the `lock`. */
    @Suppress("UNCHECKED_CAST")
    private fun Sandbox.deploys(): Map<String, Any?> = control("GET", "zerokie/apps/$APP/deploys") as Map<String, Any?>

    private fun Sandbox.finalized(): Int = (deploys()["deployments"] as List<*>).size

    /** The site paths uploaded since journal entry `from` (the manifest aside). */
    private fun Sandbox.uploads(from: Int = 0): List<String> = journal().drop(from)
        .filter { it["method"] == "PUT" && (it["path"] as String).contains("/files/") && !(it["path"] as String).endsWith(MANIFEST) }
        .map { java.net.URLDecoder.decode((it["path"] as String).substringAfter("/files/"), "UTF-8") }
        .sorted()

    private fun folder(): File = Files.createTempDirectory("zkit-deploy-").toFile().also { it.deleteOnExit() }

    private fun File.write(path: String, text: String) {
        val file = resolve(path)
        file.parentFile.mkdirs()
        file.writeText(text)
    }

    init {
        test("a folder of 200 files deploys in one call and a redeploy sends only what changed") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp(APP, kind = AppType.Static))
                val root = folder()
                var bytes = 0
                for (i in 0 until 200) {
                    root.write("section ${i % 7}/página ${i % 3}/file $i.txt", "content of $i")
                    bytes += "content of $i".length
                }
                root.write(".git/HEAD", "ref: refs/heads/main")

                val report = zerokie.deploySite(APP, DeploySource.folder(root.path))
                check(report.deployId?.startsWith("d-") == true) { "deploy id: ${report.deployId}" }
                assertEquals(Triple(200uL, 0uL, 0uL), Triple(report.filesUploaded, report.filesDeleted, report.filesUnchanged), "counts")
                assertEquals(bytes.toULong(), report.totalBytes, "bytes")
                assertEquals(listOf(".git"), report.ignored, "a folder is left out whole")
                assertEquals(1, finalized(), "finalized once")
                assertEquals(null, deploys()["lock"], "finalize released the lock")

                val before = journal().size
                val again = zerokie.deploySite(APP, DeploySource.folder(root.path))
                assertEquals(Triple(0uL, 200uL, null), Triple(again.filesUploaded, again.filesUnchanged, again.deployId), "again")
                assertEquals(emptyList<String>(), uploads(before), "an unchanged folder uploads nothing")

                val first = "section 0/página 0/file 0.txt"
                root.write(first, "CONTENT OF 0")
                root.write("added.html", "<p>new</p>")
                root.resolve("section 1/página 1/file 1.txt").delete()
                val mark = journal().size
                val changed = zerokie.deploySite(APP, DeploySource.folder(root.path))
                assertEquals(listOf("added.html", first), changed.uploaded.sorted(), "uploaded")
                assertEquals(listOf("section 1/página 1/file 1.txt"), changed.deleted, "deleted")
                assertEquals(listOf("added.html", first), uploads(mark), "sent")
                val files = zerokie.listFiles(ListFiles(APP)).map { it.path }.filter { it != MANIFEST }
                assertEquals(200, files.size, "200 - 1 + 1 files on the site")
            }
        }

        test("the events flow from planned to done, and a dry run only lists") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp(APP, kind = AppType.Static))
                val site = DeploySource.files(mapOf("a.txt" to "aaa".toByteArray(), "b.txt" to "bb".toByteArray()))

                val before = journal().size
                val plan = zerokie.deploySite(APP, site, DeploySettings(dryRun = true))
                assertEquals(true to null, plan.dryRun to plan.deployId, "a plan")
                assertEquals(listOf("a.txt", "b.txt"), plan.uploaded.sorted(), "planned uploads")
                assertEquals(listOf("GET"), journal().drop(before).map { it["method"] }.distinct(), "a dry run sends only the listing")

                val events = zerokie.deploySiteEvents(APP, site).toList()
                val planned = events.first() as DeployEvent.Planned
                assertEquals(2uL to 5uL, planned.uploads to planned.uploadBytes, "planned")
                check(events[events.size - 2] is DeployEvent.Finalizing) { "finalizing before done: $events" }
                val done = events.last() as DeployEvent.Done
                assertEquals(2uL, done.report.filesUploaded, "the report rides on done")
                for (path in listOf("a.txt", "b.txt")) {
                    val steps = events.filter { (it as? DeployEvent.FileStarted)?.path == path || (it as? DeployEvent.FileDone)?.path == path }
                    check(steps.first() is DeployEvent.FileStarted && steps.last() is DeployEvent.FileDone) { "$path: $steps" }
                }
                val totals = events.filterIsInstance<DeployEvent.BytesSent>().map { it.totalSent }
                assertEquals(totals.sorted(), totals, "bytes sent only grows")
                assertEquals(5uL, totals.last(), "every byte")

                val entries = listOf(SiteEntry("c.txt", content = "c".toByteArray()))
                val kept = zerokie.deploySite(APP, DeploySource.Files(entries), DeploySettings(deleteRemoved = false))
                assertEquals(0uL to 1uL, kept.filesDeleted to kept.filesUploaded, "delete_removed off")
            }
        }

        test("a held lock is a conflict; 5xx uploads are retried; a permanent failure never finalizes") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp(APP, kind = AppType.Static))
                val rival = newDeploySessionId()
                zerokie.acquireDeployLock(AcquireDeployLock(APP, rival))
                val held = assertThrows<ZkitException.Conflict> { zerokie.deploySite(APP, DeploySource.files(mapOf("a.txt" to byteArrayOf(1)))) }
                check(held.reason.contains("another deploy")) { held.reason }

                fault("method" to "PUT", "path" to "/zerokie/v1/apps/$APP/files/a", "status" to 503, "times" to 2)
                val files = DeploySource.files(mapOf("a.txt" to byteArrayOf(1), "b.txt" to byteArrayOf(2)))
                val report = zerokie.deploySite(APP, files, DeploySettings(sessionId = rival))
                assertEquals(rival to 2uL, report.deploySessionId to report.filesUploaded, "resumed")
                assertEquals(3, uploads().count { it == "a.txt" }, "two 503s, then the upload")

                fault("method" to "PUT", "path" to "/zerokie/v1/apps/$APP/files/bad", "status" to 400, "body" to mapOf("error" to "bad file"))
                val count = finalized()
                assertThrows<ZkitException.BadRequest> {
                    zerokie.deploySite(APP, DeploySource.files(mapOf("bad.txt" to byteArrayOf(1), "good.txt" to byteArrayOf(2))))
                }
                assertEquals(count, finalized(), "not finalized")
                check(deploys()["lock"] != null) { "the lock is left to expire" }
            }
        }

        test("cancelling the coroutine stops the deploy before it finalizes") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp(APP, kind = AppType.Static))
                fault("method" to "PUT", "path" to "/zerokie/v1/apps/$APP/files/f", "kind" to "delay", "delay_ms" to 2000, "times" to 8)
                val files = DeploySource.files((0 until 6).associate { "f$it.txt" to "x".toByteArray() })
                coroutineScope {
                    val job = launch(Dispatchers.Default) { zerokie.deploySite(APP, files, DeploySettings(concurrency = 2u)) }
                    delay(400)
                    job.cancelAndJoin()
                    check(job.isCancelled) { "cancelled" }
                }
                assertEquals(0, finalized(), "never finalized")
                assertEquals(2, uploads().size, "only the uploads in flight")
            }
        }

        test("a heartbeat renews the lock while a deploy outlives its period") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp(APP, kind = AppType.Static))
                fault("method" to "PUT", "path" to "/zerokie/v1/apps/$APP/files/slow", "kind" to "delay", "delay_ms" to 450, "times" to 1)
                val mark = journal().size
                val events = zerokie.deploySiteEvents(APP, DeploySource.files(mapOf("slow.txt" to byteArrayOf(1))), DeploySettings(heartbeatMs = 100uL)).toList()
                val renewals = journal().drop(mark).count { it["method"] == "PUT" && (it["path"] as String).endsWith("/deploy/lock") }
                check(renewals >= 2) { "$renewals renewals in 450 ms at one per 100 ms" }
                assertEquals(renewals, events.count { it is DeployEvent.LockRenewed }, "an event per renewal")
            }
        }

        test("bad input is refused before anything is sent") {
            client().use { zerokie ->
                val traversal = assertThrows<ZkitException.InvalidInput> { zerokie.deploySite(APP, DeploySource.files(mapOf("../x.txt" to byteArrayOf(1)))) }
                check(traversal.field != null) { "a field is named" }
                val concurrency = assertThrows<ZkitException.InvalidInput> {
                    zerokie.deploySite(APP, DeploySource.files(mapOf("a.txt" to byteArrayOf(1))), DeploySettings(concurrency = 0u))
                }
                assertEquals("concurrency", concurrency.field, "field")
                val missing = assertThrows<ZkitException.InvalidInput> { zerokie.deploySite(APP, DeploySource.folder("/no/such/folder")) }
                assertEquals("source", missing.field, "field")
                assertEquals(emptyList<Map<String, Any?>>(), journal(), "nothing was sent")
            }
        }

        test("a waiter polls until the app runs, and times out with the last state") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp("web", image = "nginx:alpine"))
                val fast = WaitSettings(firstDelayMs = 50uL, maxDelayMs = 100uL)
                val app = coroutineScope {
                    launch(Dispatchers.IO) {
                        delay(300)
                        advanceClock(10.0)
                    }
                    zerokie.waitUntilAppRunning("web", fast)
                }
                assertEquals(AppStatus.Running, app.status, "status")
                val polls = journal().count { it["method"] == "GET" && (it["path"] as String).endsWith("/v1/apps/web") }
                check(polls >= 3) { "it polled while the app deployed ($polls polls)" }

                zerokie.createApp(CreateApp("late", image = "nginx:alpine"))
                val late = assertThrows<ZkitException.Timeout> {
                    zerokie.waitUntilAppRunning("late", WaitSettings(timeoutMs = 300uL, firstDelayMs = 50uL, maxDelayMs = 100uL))
                }
                @Suppress("UNCHECKED_CAST")
                val details = Json.parse(late.details!!) as Map<String, Any?>
                assertEquals("app_running" to "deploying", details["waiter"] to details["last_state"], "details")

                val answer = Json.parse(zerokie.waitUntil("app_running", """{"name": "web"}""")) as Map<*, *>
                assertEquals("running", answer["status"], "the generic waiter answers JSON")
                val unknown = assertThrows<ZkitException.InvalidInput> { zerokie.waitUntil("app_up", """{"name": "web"}""") }
                assertEquals("waiter", unknown.field, "field")
                check((Json.parse(zerokie.waiters()) as Map<*, *>).containsKey("app_running")) { "waiters lists app_running" }
            }
        }
    }
}
