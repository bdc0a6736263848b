// Written by scripts/build-mobile (`uniffi-bindgen kotlin-errors`) from the core's error kinds: do not edit.
package dev.zkit

/** What every [ZkitException] carries, whatever its kind. */
data class ErrorFacts(
    val kind: String,
    val reason: String,
    val status: UShort?,
    val code: String?,
    val requestId: String?,
    val retryAfterSeconds: Double?,
    val field: String?,
    val details: String?,
    val retryable: Boolean,
)

/** The facts of this error, the same fields in every zkit language. */
val ZkitException.facts: ErrorFacts
    get() = when (this) {
        is ZkitException.BadRequest -> ErrorFacts("bad_request", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Unauthorized -> ErrorFacts("unauthorized", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.PaymentRequired -> ErrorFacts("payment_required", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Forbidden -> ErrorFacts("forbidden", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.NotFound -> ErrorFacts("not_found", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Conflict -> ErrorFacts("conflict", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.RateLimited -> ErrorFacts("rate_limited", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Server -> ErrorFacts("server", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Upstream -> ErrorFacts("upstream", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Redirect -> ErrorFacts("redirect", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Timeout -> ErrorFacts("timeout", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Connection -> ErrorFacts("connection", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Decode -> ErrorFacts("decode", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.InvalidInput -> ErrorFacts("invalid_input", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
        is ZkitException.Internal -> ErrorFacts("internal", reason, status, code, requestId, retryAfterSeconds, field, details, retryable)
    }

/** The kind's snake_case name, as every zkit language names it ("not_found", …). */
val ZkitException.kind: String
    get() = facts.kind

/** The HTTP status, when the server answered. */
val ZkitException.status: UShort?
    get() = facts.status

/** The API's own error code. */
val ZkitException.code: String?
    get() = facts.code

/** The request id, for the API's support. */
val ZkitException.requestId: String?
    get() = facts.requestId

/** Seconds the server asked to wait before trying again. */
val ZkitException.retryAfterSeconds: Double?
    get() = facts.retryAfterSeconds

/** The input field an invalid-input error is about. */
val ZkitException.field: String?
    get() = facts.field

/** Structured details from the server, as JSON. */
val ZkitException.details: String?
    get() = facts.details

/** Whether trying again later could succeed. */
val ZkitException.retryable: Boolean
    get() = facts.retryable
