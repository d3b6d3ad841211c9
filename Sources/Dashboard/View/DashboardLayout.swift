/// Where the parts of the screen go, for a size and a state.
public struct DashboardLayout: Sendable, Equatable {
    public static let minWidth = 80
    public static let minHeight = 24

    public let width: Int
    public let height: Int
    public let tooSmall: Bool
    /// First screen line of the node table's rows (after its column header).
    public let tableTop: Int
    public let tableRows: Int
    /// The event pane: its title line, then its lines; nil when hidden.
    public let eventsTop: Int?
    public let eventLines: Int
    public var footer: Int { height - 1 }

    public init(width: Int, height: Int, showEvents: Bool) {
        self.width = width
        self.height = height
        tooSmall = width < Self.minWidth || height < Self.minHeight
        tableTop = 2
        if showEvents && !tooSmall {
            let lines = max(4, height / 4)
            eventLines = lines
            eventsTop = height - 1 - lines - 1
            tableRows = max(1, height - 3 - lines - 1)
        } else {
            eventLines = 0
            eventsTop = nil
            tableRows = max(1, height - 3)
        }
    }
}
