using System.Runtime.InteropServices;

namespace Archive.Storage.FileSystem;

/// <summary>
/// Group commit for <see cref="FileSystemDurability.GroupSync"/>: writers that need their writes on disk await
/// <see cref="FlushAsync"/>; one <c>syncfs(2)</c> of the store's file system serves every writer that asked before it
/// started, and a writer that asks while a flush runs gets the next one (its writes may have come after the running
/// flush began). So N concurrent writers cost about one flush, not N times four <c>fsync</c>s.
/// </summary>
internal sealed class GroupSync : IDisposable
{
    private readonly object _lock = new();
    private readonly string _path;
    private readonly int _fd;
    private readonly Thread _thread;
    private TaskCompletionSource? _next;
    private bool _disposed;
    private long _flushes;

    private GroupSync(string path, int fd)
    {
        _path = path;
        _fd = fd;

        // One long-lived thread: a flush blocks in the kernel, so it must not hold a thread-pool thread, and starting
        // a thread per flush would cost more than the flush.
        _thread = new Thread(Loop) { IsBackground = true, Name = "Archive file-system group sync" };
        _thread.Start();
    }

    /// <summary>How many file-system flushes ran (for tests and diagnostics).</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>A group sync for the file system holding <paramref name="path"/>; null where syncfs is not available (not Linux).</summary>
    public static GroupSync? TryCreate(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var fd = NativeFileSystem.Open(path, 0x10000 /* O_RDONLY | O_DIRECTORY */);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open '{path}' to flush its file system ({Marshal.GetPInvokeErrorMessage(errno)}).", errno);
        }

        try
        {
            Sync(fd, path);
        }
        catch (EntryPointNotFoundException)
        {
            _ = NativeFileSystem.Close(fd);
            return null;
        }

        return new GroupSync(path, fd);
    }

    /// <summary>Completes when every write made before the call is on disk (file data, names and folders).</summary>
    /// <exception cref="IOException">The file system reported a write-back error.</exception>
    public Task FlushAsync()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_next is null)
            {
                _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Monitor.Pulse(_lock);
            }

            return _next.Task;
        }
    }

    private void Loop()
    {
        while (true)
        {
            TaskCompletionSource batch;
            lock (_lock)
            {
                while (_next is null && !_disposed)
                {
                    Monitor.Wait(_lock);
                }

                if (_next is null)
                {
                    return;
                }

                batch = _next;
                _next = null;
            }

            try
            {
                Sync(_fd, _path);
                Interlocked.Increment(ref _flushes);
                batch.SetResult();
            }
#pragma warning disable CA1031 // Handed to every waiter of this flush.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                batch.SetException(ex);
            }
        }
    }

    private static void Sync(int fd, string path)
    {
        int result;
        do
        {
            result = NativeFileSystem.SyncFs(fd);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */);

        if (result < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Flushing the file system of '{path}' failed ({Marshal.GetPInvokeErrorMessage(errno)}).", errno);
        }
    }

    /// <summary>Runs the flush still asked for, stops the thread and closes the folder handle.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Monitor.Pulse(_lock);
        }

        _thread.Join();
        _ = NativeFileSystem.Close(_fd);
    }
}
