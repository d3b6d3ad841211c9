import CNCurses
import CResizeSignal
import Foundation

/// The real terminal, through ncursesw. ncurses is not thread-safe, so one
/// thread owns it: it draws the latest frame and reads keys; everyone else
/// only posts frames and reads the key stream.
public final class NCursesScreen: Screen, @unchecked Sendable {
    public let input: AsyncStream<Key>
    private let sink: AsyncStream<Key>.Continuation
    private let lock = NSLock()
    private var pending: (CellGrid, Theme)?
    private var stopping = false
    private var stopped = false
    private var currentSize: (Int, Int) = (80, 24)
    private let colorMode: ColorMode
    private var thread: Thread?
    private let ready = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    /// The terminal thread sleeps in poll() on the keyboard and this pipe,
    /// so a new frame or a resize wakes it at once and an idle screen costs
    /// nothing.
    private var wake: (read: Int32, write: Int32) = (-1, -1)

    public enum ColorMode: Sendable { case none, sixteen, full }

    /// Takes over the terminal. `noColor`: honour NO_COLOR.
    public init(noColor: Bool) {
        (input, sink) = AsyncStream.makeStream(of: Key.self)
        colorMode = noColor ? .none : .full
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            wake = (fds[0], fds[1])
        }
        let t = Thread { [unowned self] in self.run() }
        t.name = "serftop-terminal"
        thread = t
        t.start()
        ready.wait()
    }

    public var size: (width: Int, height: Int) { lock.withLock { currentSize } }

    public func present(_ grid: CellGrid, theme: Theme) {
        lock.withLock { pending = (grid, theme) }
        poke()
    }

    private func poke() {
        var byte: UInt8 = 1
        if wake.write >= 0 { _ = write(wake.write, &byte, 1) }
    }

    /// Puts the terminal back as it was, from any thread: for an exit that
    /// cannot wait for the screen's own thread.
    public static func restoreTerminal() { endwin() }

    public func stop() {
        let wait = lock.withLock { () -> Bool in
            if stopped || stopping { return false }
            stopping = true
            return true
        }
        poke()
        if wait { done.wait() }
    }

    // MARK: The terminal thread

    private var window: UnsafeMutablePointer<WINDOW>?
    private var drawn: CellGrid?
    private var drawnTheme: Theme?
    private var colors: ColorMode = .none
    private var pairs: [StyleRole: (attr_t, Int16)] = [:]

    private func run() {
        setlocale(LC_ALL, "")
        let w = initscr()
        window = w
        // ncurses 6.4 flushes after every cursor move until the screen has
        // once been suspended and resumed (it takes a fresh screen for a
        // low-level terminfo user): 68 writes a frame, each waking the
        // terminal. One endwin/refresh cycle makes it one write a frame.
        endwin()
        wrefresh(w)
        raw()
        noecho()
        // Esc alone must not wait a second for a sequence that never comes.
        set_escdelay(25)
        keypad(w, true)
        // This thread reads keys itself between frames. With typeahead on,
        // ncurses polls the keyboard, and flushes, every few lines of a refresh.
        typeahead(-1)
        curs_set(0)
        wtimeout(w, 0)
        mousemask(serftop_mouse_mask(), nil)
        mouseinterval(0)
        if colorMode != .none && has_colors() {
            start_color()
            use_default_colors()
            colors = serftop_colors() >= 256 ? .full : .sixteen
        }
        if wake.write >= 0 { serftop_wake_on_resize(wake.write) }
        lock.withLock { currentSize = (Int(getmaxx(w)), Int(getmaxy(w))) }
        ready.signal()
        while true {
            if lock.withLock({ stopping }) { break }
            if let (grid, theme) = lock.withLock({ () -> (CellGrid, Theme)? in defer { pending = nil }; return pending }) {
                draw(grid, theme)
            }
            waitForInputOrFrame()
            while readInput() {}
        }
        serftop_stop_waking_on_resize()
        endwin()
        if wake.read >= 0 { close(wake.read); close(wake.write) }
        lock.withLock { stopped = true }
        sink.finish()
        done.signal()
    }

    /// Returns on a key, a new frame or a resize (which then shows up as a
    /// key on the next read). Without the wake pipe, it looks every quarter
    /// second.
    private func waitForInputOrFrame() {
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        _ = poll(&fds, wake.read >= 0 ? 2 : 1, wake.read >= 0 ? -1 : 250)
        if fds[1].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 64)
            while read(wake.read, &sink, sink.count) > 0 {}
        }
    }

    /// Reads one key if there is one; false when there is none.
    private func readInput() -> Bool {
        guard let w = window else { return false }
        var ch: wint_t = 0
        let result = wget_wch(w, &ch)
        if result == ERR { return false }
        if result == KEY_CODE_YES {
            let code = Int32(ch)
            if code == serftop_key_resize() {
                let size = (Int(getmaxx(w)), Int(getmaxy(w)))
                lock.withLock { currentSize = size }
                drawn = nil
                sink.yield(.resize(width: size.0, height: size.1))
            } else if code == serftop_key_mouse() {
                var event = MEVENT()
                if getmouse(&event) == OK {
                    if serftop_button1(event.bstate) != 0 { sink.yield(.click(x: Int(event.x), y: Int(event.y))) }
                    if serftop_wheel_up(event.bstate) != 0 { sink.yield(.scrollUp) }
                    if serftop_wheel_down(event.bstate) != 0 { sink.yield(.scrollDown) }
                }
            } else if let key = Self.special(code) {
                sink.yield(key)
            }
            return true
        }
        switch ch {
        case 3: sink.yield(.ctrlC)
        case 10, 13: sink.yield(.enter)
        case 27: sink.yield(.escape)
        case 8, 127: sink.yield(.backspace)
        case 9: sink.yield(.tab)
        default:
            if let scalar = Unicode.Scalar(UInt32(ch)), ch >= 32 { sink.yield(.char(Character(scalar))) }
        }
        return true
    }

    static func special(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        default: return nil
        }
    }

    /// Draws only the cells that differ from the last frame; everything
    /// after a resize or a theme change.
    private func draw(_ grid: CellGrid, _ theme: Theme) {
        guard let w = window else { return }
        let full = drawn == nil || drawn!.width != grid.width || drawn!.height != grid.height || drawnTheme != theme
        if drawnTheme != theme { setUpColors(theme) }
        if full { werase(w) }
        let maxX = Int(getmaxx(w)), maxY = Int(getmaxy(w))
        var buffer: [wchar_t] = []
        for y in 0 ..< min(grid.height, maxY) {
            for x in 0 ..< min(grid.width, maxX) {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                if !full, let old = drawn, old[x, y] == cell { continue }
                // The last cell of the screen would scroll it; ncurses leaves it blank.
                if y == maxY - 1 && x == maxX - 1 { continue }
                buffer.removeAll(keepingCapacity: true)
                for s in cell.character.unicodeScalars { buffer.append(wchar_t(bitPattern: s.value)) }
                let (attrs, pair) = pairs[cell.role] ?? (serftop_normal(), 0)
                serftop_draw(w, Int32(y), Int32(x), buffer, Int32(buffer.count), attrs, pair)
            }
        }
        wrefresh(w)
        drawn = grid
        drawnTheme = theme
    }

    private func setUpColors(_ theme: Theme) {
        pairs.removeAll()
        let useTheme = colors == .none ? Theme.monochrome : theme
        for (i, role) in StyleRole.allCases.enumerated() {
            let style = useTheme.style(role)
            var attrs = serftop_normal()
            if style.bold { attrs |= serftop_bold() }
            if style.underline { attrs |= serftop_underline() }
            if style.reverse { attrs |= serftop_reverse() }
            var pair: Int16 = 0
            if colors != .none {
                let fg = colors == .full ? (style.fg ?? -1) : (style.fg16 ?? -1)
                let bg = colors == .full ? (style.bg ?? -1) : (style.bg16 ?? -1)
                pair = Int16(i + 1)
                init_pair(pair, Int16(fg), Int16(bg))
            }
            pairs[role] = (attrs, pair)
        }
    }
}
