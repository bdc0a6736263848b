package dev.zkit.test

import dev.zkit.ZkitException
import dev.zkit.facts as libraryFacts

/** Everything a [ZkitException] carries, whatever its subclass, with the taxonomy's kind name. */
data class Facts(
    val kind: String,
    val reason: String,
    val status: Int?,
    val code: String?,
    val requestId: String?,
    val retryAfterSeconds: Double?,
    val field: String?,
    val details: String?,
    val retryable: Boolean,
)

/**
 * The facts of an error, as the library's generated `facts` gives them (its `when` over the sealed
 * hierarchy has no `else`, so a kind without a branch does not compile), with the status as an Int.
 */
val ZkitException.facts: Facts
    get() = libraryFacts.let {
        Facts(it.kind, it.reason, it.status?.toInt(), it.code, it.requestId, it.retryAfterSeconds, it.field, it.details, it.retryable)
    }
