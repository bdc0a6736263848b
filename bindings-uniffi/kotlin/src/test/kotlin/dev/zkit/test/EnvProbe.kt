package dev.zkit.test

import dev.zkit.Zerokie
import dev.zkit.ZkitException
import dev.zkit.model.AppType
import dev.zkit.model.CreateApp
import kotlinx.coroutines.runBlocking

/** The child of the environment test: a client made only from ZEROKIE_API_KEY and ZEROKIE_BASE_URL
 * (or the key in its second argument) creates the app named in its first and lists the apps. */
fun main(args: Array<String>): Unit = runBlocking {
    try {
        Zerokie(args.getOrNull(1)).use { zerokie ->
            println(zerokie.describe())
            zerokie.createApp(CreateApp(args[0], kind = AppType.Static))
            println("apps: " + zerokie.listApps().map { it.name }.sorted().joinToString(", "))
        }
    } catch (error: ZkitException) {
        println("${error.javaClass.simpleName} ${error.facts.status}")
    }
}
