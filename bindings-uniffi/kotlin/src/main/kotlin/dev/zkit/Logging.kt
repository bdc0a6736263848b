package dev.zkit

import java.util.logging.Level
import java.util.logging.Logger

/**
 * A [ZkitLogger] that writes to `java.util.logging` (the `zkit` logger by default), which Android
 * routes to logcat: pass it to a client to see its records there.
 *
 * ```
 * val zerokie = Zerokie(settings = ClientSettings(log = LogLevel.DEBUG), logger = JavaLogger())
 * ```
 */
class JavaLogger(private val logger: Logger = Logger.getLogger("zkit")) : ZkitLogger {
    override fun log(level: LogLevel, message: String, fields: Map<String, String>) {
        val javaLevel = when (level) {
            LogLevel.DEBUG -> Level.FINE
            LogLevel.INFO -> Level.INFO
            LogLevel.WARN -> Level.WARNING
            LogLevel.ERROR -> Level.SEVERE
        }
        logger.log(javaLevel, message)
    }
}
