package dev.zkit

import dev.zkit.model.DeployEvent
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow

/**
 * The deploy of [Zerokie.deploySite] as a cold [Flow] of its events: collecting it runs the deploy,
 * from [DeployEvent.Planned] to [DeployEvent.Done] (which carries the report); a failure ends the flow
 * with its [ZkitException]. Cancelling the collector stops the deploy before it finalizes (the lock then
 * expires on its own 30 minutes after the last heartbeat; deploy again with the same `sessionId` to resume).
 */
fun Zerokie.deploySiteEvents(
    app: String,
    source: DeploySource,
    settings: DeploySettings = DeploySettings(),
): Flow<DeployEvent> = channelFlow {
    val forward = object : DeployProgress {
        // Events arrive on zkit's threads; the unlimited buffer takes each without waiting.
        override fun onEvent(event: DeployEvent) {
            trySend(event)
        }
    }
    deploySite(app, source, settings, forward)
}.buffer(Channel.UNLIMITED)

/** A folder to deploy: every file under it, at its path relative to it. */
fun DeploySource.Companion.folder(path: String): DeploySource = DeploySource.Folder(path)

/** Site paths mapped to their bytes, to deploy. */
fun DeploySource.Companion.files(files: Map<String, ByteArray>): DeploySource =
    DeploySource.Files(files.map { (path, content) -> SiteEntry(path, content = content) })
