package dev.zkit.test

import dev.zkit.ZkitException

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
 * The facts of an error. The `when` has no `else`: a subclass added to the sealed hierarchy without a
 * branch here does not compile, so the tests always know every kind.
 */
val ZkitException.facts: Facts
    get() = when (this) {
        is ZkitException.BadRequest -> Facts("bad_request", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Unauthorized -> Facts("unauthorized", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.PaymentRequired -> Facts("payment_required", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Forbidden -> Facts("forbidden", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.NotFound -> Facts("not_found", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Conflict -> Facts("conflict", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.RateLimited -> Facts("rate_limited", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Server -> Facts("server", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Upstream -> Facts("upstream", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Timeout -> Facts("timeout", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Connection -> Facts("connection", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Decode -> Facts("decode", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.InvalidInput -> Facts("invalid_input", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Internal -> Facts("internal", reason, status?.toInt(), code, requestId, retryAfterSeconds, field, details, retryable)
    }
