/// What a cell is, for colouring. Themes give each role its colours.
public enum StyleRole: String, Sendable, Hashable, CaseIterable {
    case normal, header, title, row, dim, selected, border, key, warning, prompt, overlay
    case keyHint = "key_hint"
    case alive, suspect, leaving, failed, left
    case up, down, drain, maint, nolb, transition
    case sparkline, mark
    case eventJoin = "event_join", eventLeave = "event_leave", eventFailed = "event_failed"
    case eventAction = "event_action", eventResult = "event_result", eventError = "event_error"
    case eventReload = "event_reload", eventInfo = "event_info"
}
