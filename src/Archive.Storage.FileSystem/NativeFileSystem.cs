using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Archive.Storage.FileSystem;

/// <summary>
/// The few POSIX calls .NET does not expose: fsync of a directory (so that a rename survives a power cut),
/// an atomic no-replace rename (renameat2 RENAME_NOREPLACE, or link+unlink) and flock.
/// On Windows the managed fallbacks are used (MoveFileEx without REPLACE_EXISTING is atomic; NTFS journals
/// directory updates, so there is no directory fsync).
/// </summary>
internal static partial class NativeFileSystem
{
    private const int AtFdCwd = -100;
    private const uint RenameNoReplace = 1;
    private const int LockEx = 2;
    private const int LockNb = 4;
    private const int ErrnoEexist = 17;
    private const int ErrnoEnoent = 2;
    private const int ErrnoEintr = 4;

    private static bool s_renameat2Unavailable;

    private static bool IsUnix => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Flushes a directory's entries to disk (no-op where not supported).</summary>
    public static void FsyncDirectory(string path)
    {
        if (!IsUnix)
        {
            return;
        }

        int fd;
        do
        {
            fd = Open(path, 0 /* O_RDONLY */);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == ErrnoEintr);

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open directory '{path}' to flush it ({Marshal.GetPInvokeErrorMessage(errno)}).", errno);
        }

        try
        {
            if (Fsync(fd) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system does not support fsync on directories; nothing more can be done.
                if (errno != 22)
                {
                    throw new IOException($"Cannot flush directory '{path}' ({Marshal.GetPInvokeErrorMessage(errno)}).", errno);
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Renames <paramref name="source"/> to <paramref name="destination"/> only when the destination does not exist,
    /// atomically. Returns false when it exists (the source is left in place).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The destination's folder does not exist.</exception>
    public static bool TryRenameNoReplace(string source, string destination)
    {
        if (!IsUnix)
        {
            try
            {
                File.Move(source, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination) || Directory.Exists(destination))
            {
                return false;
            }
        }

        if (OperatingSystem.IsLinux() && !s_renameat2Unavailable)
        {
            try
            {
                if (RenameAt2(AtFdCwd, source, AtFdCwd, destination, RenameNoReplace) == 0)
                {
                    return true;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == ErrnoEexist)
                {
                    return false;
                }

                // EINVAL / ENOSYS: the file system or kernel cannot do RENAME_NOREPLACE; fall back to link+unlink.
                if (errno is not (22 or 38))
                {
                    throw Error(errno, "rename", source, destination);
                }
            }
            catch (EntryPointNotFoundException)
            {
                s_renameat2Unavailable = true;
            }
        }

        // link(2) fails with EEXIST when the destination exists: atomic create-only.
        if (Link(source, destination) == 0)
        {
            _ = Unlink(source);
            return true;
        }

        var linkErrno = Marshal.GetLastPInvokeError();
        if (linkErrno == ErrnoEexist)
        {
            return false;
        }

        throw Error(linkErrno, "link", source, destination);
    }

    /// <summary>
    /// Gives the file <paramref name="source"/> a second name <paramref name="destination"/> (a hard link: no copy).
    /// Returns false where the file system or platform has no hard links (Windows here, FAT, some network file
    /// systems); the caller then renames instead.
    /// </summary>
    public static bool TryLink(string source, string destination)
    {
        if (!IsUnix)
        {
            return false;
        }

        if (Link(source, destination) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();

        // EPERM (Linux: the file system does not allow hard links), EMLINK, ENOSYS, ENOTSUP/EOPNOTSUPP (Linux 95, BSD 45).
        if (errno is 1 or 31 or 38 or 95 or 45)
        {
            return false;
        }

        throw Error(errno, "link", source, destination);
    }

    /// <summary>Takes an exclusive, non-blocking advisory lock on an open file; false when someone else holds it.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        if (!IsUnix)
        {
            // On Windows the file was opened with FileShare.None, which the OS enforces.
            return true;
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            int result;
            do
            {
                result = Flock(fd, LockEx | LockNb);
            }
            while (result < 0 && Marshal.GetLastPInvokeError() == ErrnoEintr);

            return result == 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static IOException Error(int errno, string call, string source, string destination)
    {
        var message = $"{call} '{source}' -> '{destination}' failed: {Marshal.GetPInvokeErrorMessage(errno)}";
        return errno == ErrnoEnoent ? new DirectoryNotFoundException(message) : new IOException(message, errno);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    /// <summary>syncfs(2): flushes the whole file system holding <paramref name="fd"/> (Linux).</summary>
    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    internal static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Unlink(string path);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
