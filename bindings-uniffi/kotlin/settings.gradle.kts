// zkit for Kotlin/JVM as a Gradle build: the generated sources (src/main/kotlin), the suite against the
// sandbox (src/test/kotlin) and the call-overhead benchmark (src/bench/kotlin). scripts/test-kotlin does
// the same with kotlinc alone; see build.gradle.kts and bindings-uniffi/README.md.
pluginManagement {
    repositories {
        gradlePluginPortal()
        mavenCentral()
    }
}

dependencyResolutionManagement {
    repositories {
        mavenCentral()
    }
}

rootProject.name = "zkit"
