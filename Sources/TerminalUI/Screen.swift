/// Where frames go and where keys come from: ncurses, or memory in tests.
public protocol Screen: AnyObject, Sendable {
    /// Columns and lines now.
    var size: (width: Int, height: Int) { get }
    /// Shows a frame; only what changed since the last one needs drawing.
    func present(_ grid: CellGrid, theme: Theme)
    /// Keys, clicks and resizes, in order.
    var input: AsyncStream<Key> { get }
    /// Gives the terminal back as it was.
    func stop()
}
