import Foundation

extension Zerokie {
    /// The deploy of `deploySite` as a stream of its events: iterating it runs the deploy, from
    /// `.planned` to `.done` (which carries the report); a failure ends the stream with its
    /// `ZkitError`. Ending the iteration early (or cancelling its task) cancels the deploy before
    /// it finalizes; the lock then expires 30 minutes after the last heartbeat.
    public func deploySiteEvents(
        app: String,
        source: DeploySource,
        settings: DeploySettings? = nil
    ) -> AsyncThrowingStream<DeployEvent, Error> {
        AsyncThrowingStream(bufferingPolicy: .unbounded) { continuation in
            let deploy = Task {
                do {
                    let progress = StreamedProgress(continuation)
                    _ = try await self.deploySite(app: app, source: source, settings: settings, progress: progress)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in deploy.cancel() }
        }
    }
}

/// Hands each event of a deploy to the stream; events arrive on zkit's threads.
private final class StreamedProgress: DeployProgress, @unchecked Sendable {
    private let continuation: AsyncThrowingStream<DeployEvent, Error>.Continuation

    init(_ continuation: AsyncThrowingStream<DeployEvent, Error>.Continuation) {
        self.continuation = continuation
    }

    func onEvent(event: DeployEvent) {
        continuation.yield(event)
    }
}
