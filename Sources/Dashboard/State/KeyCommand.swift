/// What a key of the node table asks for; `DashboardState` carries it out.
public enum KeyCommand: Sendable, Hashable {
    /// By this many rows; negative is up.
    case move(Int)
    /// By this many screens of rows; negative is up.
    case page(Int)
    case first, last
    /// The row under a click: where is read from the click itself.
    case selectClicked
    case details
    case filter, clearFilter
    case nextSort, reverseSort
    case toggleEvents, nextTheme
    case help, quit
    case pause, snapshot
    case drain, ready, maint, drainThenMaint, add, reload
    /// In the details: act on the next balancer alone, or on all of them.
    case nextBalancer
}
