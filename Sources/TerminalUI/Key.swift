/// Input, decoded from whatever the terminal sent.
public enum Key: Sendable, Hashable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab
    case ctrlC
    case resize(width: Int, height: Int)
    /// A mouse button press at a cell.
    case click(x: Int, y: Int)
    case scrollUp, scrollDown
}
