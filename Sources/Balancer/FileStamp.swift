#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What tells one version of a file from the next without reading it: an
/// edit changes its time or size, a replacement (write and rename) its inode.
struct FileStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var seconds: Int
    var nanoseconds: Int

    /// nil when the file cannot be looked at.
    init?(path: String) {
        var s = stat()
        guard stat(path, &s) == 0 else { return nil }
        device = UInt64(s.st_dev)
        inode = UInt64(s.st_ino)
        size = Int64(s.st_size)
        #if canImport(Darwin)
        seconds = Int(s.st_mtimespec.tv_sec)
        nanoseconds = Int(s.st_mtimespec.tv_nsec)
        #else
        seconds = Int(s.st_mtim.tv_sec)
        nanoseconds = Int(s.st_mtim.tv_nsec)
        #endif
    }
}
