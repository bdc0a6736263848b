// zkit for Kotlin/JVM: the hand-written sources (src/main/kotlin) and the ones scripts/build-mobile
// generates (target/mobile/generated/kotlin: uniffi's bindings in packages dev.zkit and dev.zkit.model,
// Walks.kt and Errors.kt), with the native library libzkit_mobile packed where JNA finds it on the
// classpath (<os>-<arch>/libzkit_mobile.so). The build runs `scripts/build-mobile --sources` first
// (cargo and Python 3 on the PATH):
//
//     gradle jar                            # build/libs/zkit-<version>.jar
//     gradle sandboxTest                    # the suite against the sandbox (cargo build -p zkit-sandbox first)
//     gradle benchmark                      # what a call costs
//
// Android apps do not use this build: they add the same sources, JNA's aar and the jniLibs that cargo ndk
// builds (bindings-uniffi/README.md).
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    kotlin("jvm") version "2.4.20"
    `java-library`
}

val repo: File = rootDir.resolve("../..").canonicalFile

group = "dev.zkit"
// The one version of every zkit artifact: the workspace's, in Cargo.toml (scripts/check-versions).
version = Regex("""(?m)^version\s*=\s*"([^"]+)"""").find(repo.resolve("Cargo.toml").readText())!!.groupValues[1]

dependencies {
    // The generated code calls the native library through JNA and suspends with kotlinx.coroutines.
    api("net.java.dev.jna:jna:5.13.0")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.10.2")
}

java {
    sourceCompatibility = JavaVersion.VERSION_17
    targetCompatibility = JavaVersion.VERSION_17
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
    sourceSets.named("main") {
        kotlin.srcDir(repo.resolve("target/mobile/generated/kotlin"))
    }
}

// The native library (target/dist-small) and the generated Kotlin, from the operation tables and contracts.
val nativeLibrary by tasks.registering(Exec::class) {
    description = "Builds libzkit_mobile (cargo, profile dist-small) and generates the Kotlin bindings."
    workingDir = repo
    commandLine(repo.resolve("scripts/build-mobile").path, "--sources")
}

tasks.compileKotlin {
    dependsOn(nativeLibrary)
}

// JNA's resource prefix for this machine (com.sun.jna.Platform.RESOURCE_PREFIX): linux-x86-64,
// linux-aarch64, darwin-aarch64, darwin-x86-64, win32-x86-64.
val jnaPrefix: String = run {
    val os = System.getProperty("os.name").lowercase()
    val arch = when (val name = System.getProperty("os.arch")) {
        "amd64", "x86_64" -> "x86-64"
        "arm64" -> "aarch64"
        else -> name
    }
    when {
        os.startsWith("mac") || os.startsWith("darwin") -> "darwin-$arch"
        os.startsWith("windows") -> "win32-$arch"
        else -> "linux-$arch"
    }
}

tasks.processResources {
    dependsOn(nativeLibrary)
    from(repo.resolve("target/dist-small")) {
        include("libzkit_mobile.so", "libzkit_mobile.dylib", "zkit_mobile.dll")
        into(jnaPrefix)
    }
}

// The suite is a program (a small harness: kotlinc ships no test runner to rely on), not JUnit tests.
val sandboxTest by tasks.registering(JavaExec::class) {
    group = "verification"
    description = "Runs the Kotlin suite against the zkit sandbox; its last line is `N passed, M failed`."
    classpath = sourceSets["test"].runtimeClasspath
    mainClass.set("dev.zkit.test.MainKt")
    environment("ZKIT_REPO", repo.path)
    environment("ZKIT_SANDBOX_BIN", System.getenv("ZKIT_SANDBOX_BIN") ?: repo.resolve("target/debug/zkit-sandbox").path)
}

tasks.check {
    dependsOn(sandboxTest)
}

// The benchmark: its own source set, on top of the test sources (it reuses their sandbox helper).
val bench: SourceSet by sourceSets.creating {
    compileClasspath += sourceSets["main"].output + sourceSets["test"].output
    runtimeClasspath += sourceSets["main"].output + sourceSets["test"].output
}
configurations[bench.implementationConfigurationName].extendsFrom(configurations.testImplementation.get())
configurations[bench.runtimeOnlyConfigurationName].extendsFrom(configurations.testRuntimeOnly.get())

val benchmark by tasks.registering(JavaExec::class) {
    group = "verification"
    description = "Prints what a call from Kotlin costs (a benchmark, not a test)."
    classpath = bench.runtimeClasspath
    mainClass.set("dev.zkit.bench.BenchKt")
    environment("ZKIT_REPO", repo.path)
    environment("ZKIT_SANDBOX_BIN", System.getenv("ZKIT_SANDBOX_BIN") ?: repo.resolve("target/debug/zkit-sandbox").path)
}
