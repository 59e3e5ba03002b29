namespace Archive.Storage.FileSystem;

/// <summary>
/// Long-lived threads that fsync files for ordered batches in <see cref="FileSystemDurability.Fsync"/> mode. A blocking
/// fsync must not hold a thread-pool thread (there are about as many as cores), and concurrent fsyncs share the
/// journal's commits, so a batch's files are flushed side by side — by these threads, started on first use and kept
/// (idle ones block on the queue). Before, each batch started its own threads: two thread creations per audited read.
/// </summary>
internal static class FsyncWorkers
{
    /// <summary>How many files are flushed at once, at most.</summary>
    public const int Count = 16;

    // A plain monitor queue: idle workers block in Monitor.Wait. (BlockingCollection's SemaphoreSlim spins each woken
    // worker before it blocks: a fifth of the server's CPU under wrk went to 16 threads spinning for work.)
    private static readonly Queue<(string Path, TaskCompletionSource Done)> Queue = new();
    private static int _started;

    /// <summary>Flushes every file in <paramref name="paths"/> to disk; completes when all are (faults with the first failure).</summary>
    public static Task FlushAsync(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return Task.CompletedTask;
        }

        Start();
        var done = new Task[paths.Count];
        for (var i = 0; i < paths.Count; i++)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done[i] = tcs.Task;
            lock (Queue)
            {
                Queue.Enqueue((paths[i], tcs));
                Monitor.Pulse(Queue);
            }
        }

        return Task.WhenAll(done);
    }

    private static void Start()
    {
        if (Volatile.Read(ref _started) != 0 || Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        for (var i = 0; i < Count; i++)
        {
            new Thread(Loop) { IsBackground = true, Name = "Archive file-system fsync " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Start();
        }
    }

    private static void Loop()
    {
        while (true)
        {
            (string Path, TaskCompletionSource Done) next;
            lock (Queue)
            {
                while (Queue.Count == 0)
                {
                    Monitor.Wait(Queue);
                }

                next = Queue.Dequeue();
            }

            var (path, done) = next;
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
                file.Flush(flushToDisk: true);
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }
    }
}
