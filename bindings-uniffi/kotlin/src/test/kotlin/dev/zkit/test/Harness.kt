package dev.zkit.test

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlin.system.exitProcess

/**
 * A small test harness (kotlinc ships no test runner to rely on): suites register named tests, the
 * runner runs each against a freshly reset sandbox, prints one line per test, and ends with exactly
 * `N passed, M failed` (what CI reads); the exit code is 1 when anything failed.
 */
class TestCase(val suite: String, val name: String, val body: suspend Sandbox.() -> Unit)

/** A named group of tests; a test body runs with the sandbox as its receiver. */
abstract class Suite(val name: String) {
    val cases = mutableListOf<TestCase>()

    fun test(name: String, body: suspend Sandbox.() -> Unit) {
        cases += TestCase(this.name, name, body)
    }
}

/** Raised by the assertions below. */
class AssertionFailed(message: String) : AssertionError(message)

fun fail(message: String): Nothing = throw AssertionFailed(message)

fun check(condition: Boolean, message: () -> String = { "check failed" }) {
    if (!condition) fail(message())
}

fun <T> assertEquals(expected: T, actual: T, what: String = "value") {
    if (expected != actual) fail("$what: expected <$expected>, got <$actual>")
}

/** Runs `block`, which must throw a `T`; returns it. Anything else thrown fails the test with its text. */
inline fun <reified T : Throwable> assertThrows(what: String = T::class.java.simpleName, block: () -> Unit): T {
    try {
        block()
    } catch (error: Throwable) {
        if (error is T) return error
        throw AssertionFailed("$what: expected ${T::class.java.name}, got $error")
    }
    fail("$what: expected ${T::class.java.name}, nothing was thrown")
}

/** Runs the suites; `filter` keeps the tests whose "suite: name" contains it. */
fun runSuites(suites: List<Suite>, filter: String?) {
    val cases = suites.flatMap { it.cases }.filter { filter == null || "${it.suite}: ${it.name}".contains(filter) }
    var passed = 0
    var failed = 0
    val failures = mutableListOf<String>()
    Sandbox.start().use { sandbox ->
        println("sandbox at ${sandbox.url}")
        for (case in cases) {
            val label = "${case.suite}: ${case.name}"
            val started = System.nanoTime()
            val error = try {
                sandbox.reset()
                runBlocking { withTimeout(60_000) { case.body(sandbox) } }
                null
            } catch (error: Throwable) {
                error
            }
            val ms = (System.nanoTime() - started) / 1_000_000
            if (error == null) {
                passed++
                println("ok    $label ($ms ms)")
            } else {
                failed++
                failures += label
                println("FAIL  $label ($ms ms)")
                val text = if (error is AssertionFailed) error.message.orEmpty() else error.stackTraceToString()
                text.lines().take(25).forEach { println("        $it") }
            }
        }
    }
    if (failures.isNotEmpty()) {
        println()
        println("failed:")
        failures.forEach { println("  $it") }
    }
    println("$passed passed, $failed failed")
    System.out.flush()
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}
