package dev.zkit.test

import dev.zkit.CallSettings
import dev.zkit.ZerokieInterface
import dev.zkit.ZkitException
import dev.zkit.model.*
import dev.zkit.newDeploySessionId

/** Every Zerokie operation through the typed methods, over HTTP against the sandbox (the Kotlin twin
 * of core/tests/zerokie.rs and bindings-python/tests/test_zerokie.py). */
object ZerokieTests : Suite("zerokie") {
    init {
        test("a container app from create to delete") {
            client().use { zerokie ->
                val created = zerokie.createApp(
                    CreateApp(name = "my-app", image = "nginx:alpine", port = 80u, env = mapOf("NODE_ENV" to "production")),
                )
                assertEquals("my-app", created.name, "name")
                assertEquals(AppType.Container, created.kind, "kind")
                assertEquals("nginx:alpine", created.image, "image")
                assertEquals(80.toUShort(), created.port, "port")
                assertEquals(AppStatus.Deploying, created.status, "status")
                assertEquals("https://my-app.platform-dev.zerokie.com", created.url, "url")

                val duplicate = assertThrows<ZkitException.Conflict> { zerokie.createApp(CreateApp("my-app", image = "nginx:alpine")) }
                assertEquals(409.toUShort(), duplicate.status, "status")
                assertEquals("app name already exists", duplicate.reason, "reason")

                advanceClock(10.0)
                val fetched = zerokie.getApp(GetApp("my-app"))
                assertEquals(AppStatus.Running, fetched.status, "status after 10 s")
                assertEquals(Triple(1u, 256u, 512u), Triple(fetched.instances, fetched.cpu, fetched.memory), "instances, cpu, memory")
                check(fetched.createdAt != null && fetched.updatedAt != null) { "timestamps: $fetched" }

                val deploy = zerokie.deployApp(DeployApp("my-app", image = "nginx:1.27"))
                assertEquals("nginx:1.27" to AppStatus.Deploying, deploy.image to deploy.status, "deploy")
                val redeploy = zerokie.deployApp(DeployApp("my-app"))
                assertEquals("nginx:1.27", redeploy.image, "no image re-pulls the current one")

                val listed = zerokie.listApps()
                assertEquals(listOf("my-app"), listed.map { it.name }, "listed")

                assertEquals(Unit, zerokie.deleteApp(DeleteApp("my-app")), "delete returns nothing")
                val gone = assertThrows<ZkitException.NotFound> { zerokie.getApp(GetApp("my-app")) }
                assertEquals(404 to "app not found", gone.facts.status to gone.reason, "after delete")
                check(gone.requestId?.startsWith("req_") == true) { "request id: ${gone.requestId}" }
                assertThrows<ZkitException.NotFound> { zerokie.deleteApp(DeleteApp("my-app")) }
            }
        }

        test("a static deploy under a lock: files, heartbeat, finalize, expiry") {
            client().use { zerokie ->
                val site = zerokie.createApp(CreateApp("my-site", kind = AppType.Static))
                assertEquals(AppType.Static to null, site.kind to site.image, "static app")

                val session = newDeploySessionId()
                val lock = zerokie.acquireDeployLock(AcquireDeployLock("my-site", session))
                assertEquals(true to session, lock.locked to lock.deploySessionId, "lock")
                check(Json.parse(lock.extra)["expires_at"] is String) { "fields zkit does not model are kept: ${lock.extra}" }
                val rival = assertThrows<ZkitException.Conflict> {
                    zerokie.acquireDeployLock(AcquireDeployLock("my-site", newDeploySessionId()))
                }
                assertEquals(409.toUShort(), rival.status, "rival status")

                zerokie.uploadFile(UploadFile("my-site", "index.html", "<h1>hi</h1>".toByteArray()))
                zerokie.uploadFile(UploadFile("my-site", "assets/site v2.css", "h1{}".toByteArray()))
                zerokie.uploadFile(UploadFile("my-site", "old.txt", byteArrayOf(98, 121, 101)))
                assertEquals(Unit, zerokie.deleteFile(DeleteFile("my-site", "old.txt")), "delete returns nothing")
                assertThrows<ZkitException.NotFound> { zerokie.deleteFile(DeleteFile("my-site", "old.txt")) }

                val files = zerokie.listFiles(ListFiles("my-site"))
                assertEquals(listOf("assets/site v2.css" to 4uL, "index.html" to 11uL), files.map { it.path to it.length }, "files")
                check(files.all { it.lastModified.isNotEmpty() }) { "last modified: $files" }

                // The upload went out as raw bytes with a Content-Type from the extension.
                val css = journal().first { it["method"] == "PUT" && (it["path"] as String).endsWith(".css") }
                assertEquals("/zerokie/v1/apps/my-site/files/assets/site%20v2.css", css["path"], "encoded path")
                assertEquals("text/css; charset=utf-8", css["headers"]["content-type"], "content type")
                assertEquals(4L, css["body_len"], "body length")

                // 29 minutes in, a heartbeat keeps the lock for another 30.
                advanceClock(29 * 60.0)
                assertEquals(true, zerokie.renewDeployLock(RenewDeployLock("my-site", session))?.locked, "renewed")
                advanceClock(29 * 60.0)
                val done = zerokie.finalizeDeploy(FinalizeDeploy("my-site", session, filesUploaded = 2u, filesDeleted = 1u, totalBytes = 15u))
                assertEquals(true, done.cachePurged, "cache purged")
                check(done.deployId.startsWith("d-")) { "deploy id: ${done.deployId}" }
                check(done.timestamp.isNotEmpty()) { "timestamp: $done" }
                assertEquals(DeploySummary(2u, 1u, 15u), done.summary, "summary")

                // Finalize released the lock; without a heartbeat the next one expires after 30 minutes.
                val following = newDeploySessionId()
                zerokie.acquireDeployLock(AcquireDeployLock("my-site", following))
                advanceClock(31 * 60.0)
                assertThrows<ZkitException.Conflict> { zerokie.renewDeployLock(RenewDeployLock("my-site", following)) }
                zerokie.acquireDeployLock(AcquireDeployLock("my-site", newDeploySessionId()))
            }
        }

        test("an explicit content type is sent as given") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp("site", kind = AppType.Static))
                zerokie.uploadFile(UploadFile("site", "data", "{}".toByteArray(), contentType = "application/json"))
                zerokie.uploadFile(UploadFile("site", "empty.txt", ByteArray(0)))
                val puts = journal().filter { it["method"] == "PUT" }
                assertEquals("application/json", puts[0]["headers"]["content-type"], "given content type")
                assertEquals(0L, puts[1]["body_len"], "an empty file")
                assertEquals(listOf("data" to 2uL, "empty.txt" to 0uL), zerokie.listFiles(ListFiles("site")).map { it.path to it.length }, "files")
            }
        }

        test("custom domains on a static app") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp("my-site", kind = AppType.Static))
                val domain = zerokie.addDomain(AddDomain("my-site", "www.example.com"))
                assertEquals("www.example.com", domain.domain, "domain")
                assertEquals("my-site.platform-dev.zerokie.com", domain.cnameTarget, "cname target")
                assertEquals(TlsStatus.Pending, domain.tlsStatus, "tls status")
                assertThrows<ZkitException.Conflict> { zerokie.addDomain(AddDomain("my-site", "www.example.com")) }
                assertEquals(Unit, zerokie.removeDomain(RemoveDomain("my-site", "www.example.com")), "remove returns nothing")
                assertThrows<ZkitException.NotFound> { zerokie.removeDomain(RemoveDomain("my-site", "www.example.com")) }
            }
        }

        test("files and domains belong to static apps") {
            client().use { zerokie ->
                zerokie.createApp(CreateApp("api", image = "nginx"))
                val files = assertThrows<ZkitException.BadRequest> { zerokie.listFiles(ListFiles("api")) }
                assertEquals(400 to "app is not a static app", files.facts.status to files.reason, "list files")
                assertThrows<ZkitException.BadRequest> { zerokie.addDomain(AddDomain("api", "www.example.com")) }
            }
        }

        test("private registry credentials deploy, and the password never prints") {
            client().use { zerokie ->
                val auth = RegistryAuth("deployer", SecretString("glpat-s3cret-registry-token"), "registry.example.com")
                zerokie.createApp(CreateApp("private", image = "registry.example.com/app:v1", registryAuth = auth))
                val deploy = zerokie.deployApp(DeployApp("private", image = "registry.example.com/app:v2", registryAuth = auth))
                assertEquals("registry.example.com/app:v2", deploy.image, "deployed image")
                for (text in listOf(auth.toString(), CreateApp("x", registryAuth = auth).toString(), auth.password.toString())) {
                    check("s3cret" !in text) { "the password leaked into $text" }
                }
                assertEquals("SecretString(glpa…oken)", auth.password.toString(), "preview")
                assertEquals("SecretString(…)", SecretString("short").toString(), "a short secret shows nothing")
                assertEquals("glpat-s3cret-registry-token", auth.password?.value, "the value itself")
                check("s3cret" !in Json.write(journal())) { "the password leaked into the journal" }
            }
        }

        test("unknown fields and unknown enum values are kept") {
            fault(
                "method" to "GET", "path" to "$APPS/future", "status" to 200,
                "body" to mapOf("name" to "future", "type" to "edge", "status" to "hibernating", "region" to "eu-1", "tags" to listOf("a")),
            )
            client().use { zerokie ->
                val app = zerokie.getApp(GetApp("future"))
                assertEquals(AppType.Unknown("edge"), app.kind, "kind")
                assertEquals(AppStatus.Unknown("hibernating"), app.status, "status")
                assertEquals(mapOf("region" to "eu-1", "tags" to listOf("a")), Json.parse(app.extra), "extra")
                assertEquals(mapOf<String, Any?>(), Json.parse(zerokie.createApp(CreateApp("plain", kind = AppType.Static)).extra), "no extra")
            }
        }

        test("records are value types: equality, copy, hash") {
            val input = CreateApp("web", image = "nginx", port = 8080u, env = mapOf("A" to "1"))
            assertEquals(input, CreateApp("web", image = "nginx", port = 8080u, env = mapOf("A" to "1")), "equal records")
            assertEquals(input.hashCode(), input.copy().hashCode(), "hash")
            check(input != input.copy(port = 80u)) { "copy with a change differs" }
            assertEquals(AppStatus.Running, AppStatus.Running, "enum objects")
            assertEquals(AppStatus.Unknown("x"), AppStatus.Unknown("x"), "unknown values")
        }

        test("callJson reaches every operation by name, with JSON in and out") {
            client().use { zerokie ->
                assertEquals(listOf<Any?>(), Json.parse(zerokie.callJson("list_apps", "{}")), "empty list")
                val created = Json.parse(zerokie.callJson("create_app", """{"name": "site", "type": "static"}""", CallSettings(maxRetries = 5u)))
                check(matches(mapOf("name" to "site", "type" to "static", "status" to "deploying"), created)) { "created: $created" }
                assertEquals("static", Json.parse(zerokie.callJson("get_app", """{"name": "site"}"""))["type"], "fetched type")
                assertEquals(null, Json.parse(zerokie.callJson("upload_file", """{"name": "site", "path": "a.txt", "content": "hi"}""")), "nothing")
                assertEquals(listOf("a.txt"), (Json.parse(zerokie.callJson("list_files", """{"name": "site"}""")) as List<*>).map { it["path"] }, "files")
                val unknown = assertThrows<ZkitException.InvalidInput> { zerokie.callJson("launch_rocket", "{}") }
                assertEquals("operation", unknown.field, "unknown operation")
                val missing = assertThrows<ZkitException.InvalidInput> { zerokie.callJson("get_app", "{}") }
                assertEquals("name", missing.field, "missing field")
                val broken = assertThrows<ZkitException.InvalidInput> { zerokie.callJson("get_app", "{\"name\": ") }
                assertEquals("input", broken.field, "broken JSON")
            }
        }

        test("every operation of the core's table has a typed suspend method") {
            // The rows of zerokie_operations! in the core, in snake_case.
            val table = File(REPO, "core/src/zerokie/mod.rs").readText()
            val operations = Regex("""^\s*([a-z_]+)\(\s*\${'$'}crate::zerokie::""", RegexOption.MULTILINE).findAll(table).map { it.groupValues[1] }.toList()
            assertEquals(13, operations.size, "operations in the table: $operations")
            val methods = ZerokieInterface::class.java.methods.filter { m -> m.parameterTypes.lastOrNull()?.name == "kotlin.coroutines.Continuation" }
                .map { it.name }.toSet()
            for (operation in operations) {
                val camel = operation.split('_').mapIndexed { i, part -> if (i == 0) part else part.replaceFirstChar(Char::uppercase) }.joinToString("")
                check(camel in methods) { "no suspend method $camel for $operation: $methods" }
            }
            // Beyond the operations: the call by name, the waiters and the site deploy.
            val beyond = setOf("callJson", "callJsonWithResponse", "raw", "waitUntil", "waitUntilAppRunning", "deploySite")
            assertEquals(operations.size + beyond.size, methods.size, "one suspend method per operation, plus $beyond: $methods")
            check(methods.containsAll(beyond)) { "$beyond in $methods" }
        }

        test("new deploy session ids are distinct version 4 UUIDs") {
            val ids = List(200) { newDeploySessionId() }
            val v4 = Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
            check(ids.all { v4.matches(it) }) { "not v4: ${ids.first { !v4.matches(it) }}" }
            assertEquals(ids.size, ids.toSet().size, "distinct")
        }
    }
}

private typealias File = java.io.File
