package dev.zkit.test

/**
 * Runs the Kotlin suite against the sandbox:
 *
 *     java -cp <tests>:zkit.jar:jna.jar:kotlinx-coroutines-core-jvm.jar:kotlin-stdlib.jar dev.zkit.test.MainKt [filter]
 *
 * The optional filter keeps the tests whose "suite: name" contains it.
 */
fun main(args: Array<String>) {
    runSuites(
        listOf(ZerokieTests, ZenifraTests, ZenovayTests, ZyraTests, ErrorTests, ClientTests, ScenarioTests, DataPathTests, DeployTests, ChaosTests, KeysTests, RateStoreTests, NetworkTests),
        args.firstOrNull(),
    )
}
