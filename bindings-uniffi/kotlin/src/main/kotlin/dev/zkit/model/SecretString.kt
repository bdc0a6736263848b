package dev.zkit.model

/**
 * A secret (such as a registry password) that never prints itself: `toString()` shows at most the first
 * and last four characters of a long value. Read the value itself with [value].
 */
class SecretString(val value: String) {
    override fun toString(): String =
        if (value.length < 16) "SecretString(…)" else "SecretString(${value.take(4)}…${value.takeLast(4)})"

    override fun equals(other: Any?): Boolean = other is SecretString && other.value == value

    override fun hashCode(): Int = value.hashCode()
}
