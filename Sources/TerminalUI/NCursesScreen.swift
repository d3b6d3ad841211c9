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
        // Keys are read and decoded by this thread (readInput), never by
        // ncurses; keypad mode only makes the terminal send the keypad's
        // sequences. With typeahead on, ncurses would poll the keyboard, and
        // flush, every few lines of a refresh.
        keypad(w, true)
        typeahead(-1)
        curs_set(0)
        // Only to have the terminal report the mouse; KeyDecoder reads the reports.
        mousemask(serftop_mouse_mask(), nil)
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
            if waitForInputOrFrame(timeout: decoder.isWaiting ? KeyDecoder.escapeDelay : nil) { checkSize() }
            while readInput() {}
            flushInputIfQuiet()
        }
        serftop_stop_waking_on_resize()
        endwin()
        if wake.read >= 0 { close(wake.read); close(wake.write) }
        lock.withLock { stopped = true }
        sink.finish()
        done.signal()
    }

    /// Returns on input, a new frame or a resize; after `timeout` at the
    /// latest, when bytes wait for the rest of an escape sequence. Without
    /// the wake pipe, it looks every quarter second. True when the terminal
    /// may have changed size.
    private func waitForInputOrFrame(timeout: Duration?) -> Bool {
        var fds = [pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        let ms = timeout.map { Int32($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) }
            ?? (wake.read >= 0 ? -1 : 250)
        _ = poll(&fds, wake.read >= 0 ? 2 : 1, ms)
        guard wake.read >= 0 else { return true }
        var resized = false
        if fds[1].revents != 0 {
            // The resize signal writes a 2, a new frame a 1.
            var sink = [UInt8](repeating: 0, count: 64)
            while case let n = read(wake.read, &sink, sink.count), n > 0 { resized = resized || sink[..<n].contains(2) }
        }
        return resized
    }

    private var decoder = KeyDecoder()
    private var lastInput = ContinuousClock.now
    private var stdinOpen = true

    /// Reads what the terminal sent, raw, and decodes it here rather than in
    /// ncurses: ncurses knows only the sequences of its terminfo entry and
    /// hands any other (an SGR mouse report under tmux, say) over as keys.
    /// Returns whether there was input.
    private func readInput() -> Bool {
        guard stdinOpen else { return false }
        var ready = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
        guard poll(&ready, 1, 0) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(0, &buffer, buffer.count)
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
        guard n > 0 else {
            // The terminal is gone: stop polling it, or poll() spins.
            stdinOpen = false
            return false
        }
        lastInput = .now
        for key in decoder.feed(buffer[..<n]) { sink.yield(key) }
        return true
    }

    /// A lone ESC is the Escape key once the terminal has been quiet for a
    /// moment; a sequence cut short is dropped.
    private func flushInputIfQuiet() {
        guard decoder.isWaiting, ContinuousClock.now - lastInput >= KeyDecoder.escapeDelay else { return }
        for key in decoder.flush() { sink.yield(key) }
    }

    /// Tells ncurses and the key stream when the terminal's size changed
    /// (the resize signal wakes the poll; ncurses's own getch never runs).
    private func checkSize() {
        guard window != nil else { return }
        var ws = winsize()
        let got = withUnsafeMutablePointer(to: &ws) { ioctl(1, UInt(TIOCGWINSZ), $0) }
        guard got == 0, ws.ws_col > 0, ws.ws_row > 0 else { return }
        let size = (Int(ws.ws_col), Int(ws.ws_row))
        let changed = lock.withLock { () -> Bool in
            if currentSize == size { return false }
            currentSize = size
            return true
        }
        guard changed else { return }
        resizeterm(Int32(size.1), Int32(size.0))
        drawn = nil
        sink.yield(.resize(width: size.0, height: size.1))
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
