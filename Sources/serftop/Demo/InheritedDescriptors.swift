#if canImport(Glibc)
import Glibc
#endif

/// Children of the demo get stdin, stdout and stderr only. Whatever else the
/// demo's own parent left open (a pipe of the shell or CI runner, say) would
/// otherwise live on in haproxy and the agents, and keep that pipe from ever
/// reaching end-of-file.
enum InheritedDescriptors {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34+ has posix_spawn_file_actions_addclosefrom_np; Swift's
    /// Glibc module does not export it, so it is looked up at run time.
    static func closeAll(in actions: inout posix_spawn_file_actions_t) {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }
}
