import Foundation

/// A screen in memory: frames are kept for inspection, keys are fed by hand.
public final class MemoryScreen: Screen, @unchecked Sendable {
    private let lock = NSLock()
    private var _size: (Int, Int)
    private var _frame: CellGrid?
    private var _frames = 0
    public let input: AsyncStream<Key>
    private let sink: AsyncStream<Key>.Continuation

    public init(width: Int, height: Int) {
        _size = (width, height)
        (input, sink) = AsyncStream.makeStream(of: Key.self)
    }

    public var size: (width: Int, height: Int) { lock.withLock { _size } }
    public var frame: CellGrid? { lock.withLock { _frame } }
    public var framesPresented: Int { lock.withLock { _frames } }

    public func present(_ grid: CellGrid, theme: Theme) {
        lock.withLock { _frame = grid; _frames += 1 }
    }

    public func send(_ key: Key) {
        if case .resize(let w, let h) = key { lock.withLock { _size = (w, h) } }
        sink.yield(key)
    }

    public func stop() { sink.finish() }
}
