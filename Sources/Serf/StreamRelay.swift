/// The elements of `source` that `transform` keeps, as a stream of their
/// own. Ending that stream stops reading `source` and calls `onEnd` (to
/// tell an agent to stop sending, say).
func relay<T: Sendable, U: Sendable>(_ source: AsyncThrowingStream<T, any Error>,
                                     onEnd: @escaping @Sendable () -> Void = {},
                                     _ transform: @escaping @Sendable (T) -> U?) -> AsyncThrowingStream<U, any Error> {
    AsyncThrowingStream { continuation in
        let task = Task {
            do {
                for try await element in source {
                    if let kept = transform(element) { continuation.yield(kept) }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            task.cancel()
            onEnd()
        }
    }
}
