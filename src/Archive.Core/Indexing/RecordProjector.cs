using System.Collections.Concurrent;
using System.Threading.Channels;
using Archive.Diagnostics;
using Archive.Hosting;
using Archive.Records;
using Microsoft.Extensions.Logging;

namespace Archive.Indexing;

/// <summary>
/// The engine's background search projection. A change to a record file is acknowledged at its package commit; the
/// writer flags the record file (<see cref="RecordIndexer.PendingPrefix"/>) before the first commit of a dirty period and
/// hands the file code over after each commit. One loop per engine takes the codes queued so far (a burst of changes to
/// one record file is queued once), reads each record file's head, projects them and writes them with one
/// <see cref="Search.ISearchIndex.IndexAsync"/> call (one index commit) per batch, then clears each flag under the record
/// file's lock unless a newer change arrived meanwhile (that change queued the file again). The loop is the only writer
/// of record-file projections in the engine besides <see cref="RecordFileService.IndexPendingAsync"/> (which leaves the
/// files this projector owns alone) and a reindex; since it reads heads in queue order, an older head never overwrites
/// a newer one in an index that ignores <see cref="Search.SearchDocument.Version"/> (Lucene). A record file destroyed
/// after its head was read is left out of the write (<see cref="RecordIndexer.WriteAsync"/>).
/// </summary>
internal sealed partial class RecordProjector : IAsyncDisposable, IDisposable
{
    /// <summary>How many projected versions are remembered before the memory is reset (the flags are the fallback).</summary>
    private const int MaxRemembered = 65_536;

    private readonly RecordIndexer _indexer;
    private readonly Func<string, SemaphoreSlim> _fileLock;
    private readonly ArchiveProjectionOptions _options;
    private readonly ArchiveHostsOptions _hosts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);

    /// <summary>Record files whose flag this engine wrote and has not cleared yet, with when it wrote it.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _flagged = new(StringComparer.Ordinal);

    /// <summary>The newest version of a record file this engine committed (while its flag is owned here).</summary>
    private readonly ConcurrentDictionary<string, int> _committed = new(StringComparer.Ordinal);

    /// <summary>The newest version of a record file this engine wrote to the index.</summary>
    private readonly ConcurrentDictionary<string, int> _searchable = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _startLock = new();
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private bool _disposed;

    public RecordProjector(RecordIndexer indexer, Func<string, SemaphoreSlim> fileLock, ArchiveOptions options, TimeProvider time, ILogger logger)
    {
        _indexer = indexer;
        _fileLock = fileLock;
        _options = options.Projection;
        _hosts = options.Hosts;
        _time = time;
        _logger = logger;
        indexer.OwnedByProjector = _flagged.ContainsKey;
        indexer.HandOff = new TextHandOff(_options.TextHandOffMegabytes * (1024L * 1024 / 2));
    }

    /// <summary>Whether this engine flagged <paramref name="fileCode"/> and its projector will clear the flag.</summary>
    public bool Owns(string fileCode) => _flagged.ContainsKey(fileCode);

    /// <summary>
    /// Before a commit, under the record file's lock: flags the record file unless this engine already holds its flag.
    /// Throws when the flag cannot be written (the change must then not be committed).
    /// </summary>
    public async ValueTask BeforeCommitAsync(string fileCode, string reason, CancellationToken cancellationToken)
    {
        if (_flagged.ContainsKey(fileCode))
        {
            return;
        }

        await _indexer.FlagPendingAsync(fileCode, reason, cancellationToken).ConfigureAwait(false);
        _flagged[fileCode] = _time.GetUtcNow();
    }

    /// <summary>After a commit, under the record file's lock: queues the record file for projection.</summary>
    public void Committed(string fileCode, int version)
    {
        _committed.AddOrUpdate(fileCode, version, (_, v) => Math.Max(v, version));
        Enqueue(fileCode);
    }

    /// <summary>
    /// After a commit that did not happen (a conflict, a failure) although the flag was written, under the record file's
    /// lock. When the flag was written for this change alone (one host, and no committed change of this engine awaits
    /// projection), the index has nothing to catch up and the flag is removed now, so a refused change leaves the
    /// storage as it was; otherwise the projector reconciles the record file from its head and clears the flag.
    /// </summary>
    public async ValueTask NotCommittedAsync(string fileCode)
    {
        if (!_flagged.ContainsKey(fileCode))
        {
            return;
        }

        if (!_hosts.Shared && !_committed.ContainsKey(fileCode))
        {
            try
            {
                await _indexer.ClearPendingAsync(fileCode, CancellationToken.None).ConfigureAwait(false);
                _flagged.TryRemove(fileCode, out _);
                return;
            }
#pragma warning disable CA1031 // The flag stays and the projector reconciles instead; nothing is lost.
            catch (Exception ex) when (ex is ArchiveException or IOException)
#pragma warning restore CA1031
            {
                LogFlagNotCleared(_logger, fileCode, ex);
            }
        }

        Enqueue(fileCode);
    }

    /// <summary>
    /// After the record file was removed from the index for its destruction, under its lock: forgets what this engine
    /// projected and committed of it, so that a new record file taking its code is not taken for searchable.
    /// </summary>
    public void Forget(string fileCode)
    {
        _searchable.TryRemove(fileCode, out _);
        Release(fileCode);
    }

    /// <summary>The newest version of <paramref name="fileCode"/> this engine knows to be searchable, or null.</summary>
    public int? KnownSearchable(string fileCode) => _searchable.TryGetValue(fileCode, out var v) ? v : null;

    /// <summary>Whether this engine committed <paramref name="version"/> (or newer) of the record file and has not projected it yet.</summary>
    public bool IsPendingHere(string fileCode, int version)
        => _committed.TryGetValue(fileCode, out var c) && c >= version && (KnownSearchable(fileCode) ?? 0) < version;

    /// <summary>A task completed after the next batch (successful or not); callers check the state again then.</summary>
    public Task NextBatch => Volatile.Read(ref _progress).Task;

    /// <summary>The record files this engine committed and has not projected yet, with the version committed.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> Unprojected()
        => [.. _committed.Where(c => (KnownSearchable(c.Key) ?? 0) < c.Value)];

    private void Enqueue(string fileCode)
    {
        if (_queued.TryAdd(fileCode, 0))
        {
            _queue.Writer.TryWrite(fileCode);
        }

        EnsureStarted();
    }

    private void EnsureStarted()
    {
        if (_loop is not null)
        {
            return;
        }

        lock (_startLock)
        {
            if (_loop is null && !_disposed)
            {
                // Without the first changer's execution context (activity, logging scope, async-locals): the loop serves everyone.
                using (ExecutionContext.SuppressFlow())
                {
                    _loop = Task.Run(() => RunAsync(_stop.Token));
                }
            }
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_options.MaxDelay > TimeSpan.Zero && reader.Count < _options.BatchSize)
                {
                    await Task.Delay(_options.MaxDelay, _time, stoppingToken).ConfigureAwait(false);
                }

                var batch = new List<string>(Math.Min(_options.BatchSize, reader.Count));
                while (batch.Count < _options.BatchSize && reader.TryRead(out var code))
                {
                    // Unqueued before the head is read: a commit from now on queues the file again.
                    _queued.TryRemove(code, out _);
                    batch.Add(code);
                }

                try
                {
                    await ProjectBatchAsync(batch, stoppingToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // The loop outlives any one batch: the batch's flags stay for the pending-index run.
                catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    LogBatchFailed(_logger, batch.Count, ex);
                    foreach (var code in batch)
                    {
                        Release(code);
                    }
                }
                finally
                {
                    Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped: what is still queued keeps its flag and is projected by the next start-up's pending-index run.
        }
    }

    private async Task ProjectBatchAsync(List<string> batch, CancellationToken stoppingToken)
    {
        // One span per batch (record files in it as a tag): how busy the projection is, and what a batch costs.
        using var activity = ArchiveTelemetry.Source.StartActivity("archive.projection.batch");
        activity?.SetTag(ArchiveTelemetry.ProjectionBatchTag, batch.Count);
        var heads = new List<Versioned<RecordFile>>(batch.Count);
        try
        {
            foreach (var code in batch)
            {
                if (await _indexer.ReadHeadAsync(code, stoppingToken).ConfigureAwait(false) is { } head)
                {
                    heads.Add(head);
                }
                else
                {
                    // Never committed (a failed create) or destroyed: nothing to project; a flag left behind is removed
                    // by the pending-index run once it is old (an import on another host may still be committing).
                    Release(code);
                }
            }

            await _indexer.WriteProjectionAsync(heads, stoppingToken).ConfigureAwait(false);
            ArchiveTelemetry.JobItem("projection", heads.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Storage is the truth: the flags stay and the pending-index run (or a reindex) completes the index.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogBatchFailed(_logger, batch.Count, ex);
            foreach (var code in batch)
            {
                // Handed to the pending-index run, which retries from the flag.
                Release(code);
            }

            return;
        }

        // Each record file settles under its own lock, which a write to that file holds for the whole write: settled
        // one after the other, a batch waited for every such write in turn (the sum; seconds under a closed-loop load),
        // together it waits for the longest. No settle takes a second lock, so they cannot deadlock.
        if (heads.Count == 1)
        {
            await SettleAsync(heads[0].Value.FileCode, heads[0].Version, stoppingToken).ConfigureAwait(false);
        }
        else
        {
            await Task.WhenAll(heads.Select(head => SettleAsync(head.Value.FileCode, head.Version, stoppingToken).AsTask())).ConfigureAwait(false);
        }
    }

    /// <summary>After the batch holding <paramref name="version"/> is in the index: remember it and clear the flag unless a newer change arrived.</summary>
    private async ValueTask SettleAsync(string fileCode, int version, CancellationToken stoppingToken)
    {
        var gate = _fileLock(fileCode);
        await gate.WaitAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            if (_indexer.IsDestroyed(fileCode))
            {
                // Destroyed meanwhile: its documents were left out of the batch and it has no flag any more.
                Release(fileCode);
                return;
            }

            // Under the lock no change of this engine is between its flag check and its commit. A newer change of this
            // engine, or (several hosts) of another host, keeps the flag: the newer version is not projected yet.
            var newer = _committed.TryGetValue(fileCode, out var committed) && committed > version;
            if (!newer && _hosts.Shared)
            {
                var inventory = await _indexer.Storage.Files.GetInventoryAsync(fileCode, stoppingToken).ConfigureAwait(false);
                newer = inventory is not null && inventory.Head > version;
            }

            if (newer)
            {
                Remember(fileCode, version);
                Enqueue(fileCode);
                if (_hosts.Shared && _flagged.TryGetValue(fileCode, out var written) && _time.GetUtcNow() - written > _hosts.Lease / 2)
                {
                    // A long dirty period: rewrite the flag so that another host's pending-index run keeps leaving it alone.
                    await _indexer.FlagPendingAsync(fileCode, "projection: still changing", stoppingToken).ConfigureAwait(false);
                    _flagged[fileCode] = _time.GetUtcNow();
                }

                return;
            }

            await _indexer.ClearPendingAsync(fileCode, stoppingToken).ConfigureAwait(false);
            Remember(fileCode, version);
            Release(fileCode);
        }
#pragma warning disable CA1031 // A flag left behind only costs one needless projection by the pending-index run.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogClearFailed(_logger, fileCode, ex);
            Remember(fileCode, version);
            Release(fileCode);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Remembers that the index holds <paramref name="version"/> (once its flag is settled, so a caller woken by the batch sees the flag gone too).</summary>
    private void Remember(string fileCode, int version)
    {
        if (_searchable.Count >= MaxRemembered)
        {
            _searchable.Clear();
        }

        _searchable.AddOrUpdate(fileCode, version, (_, v) => Math.Max(v, version));
    }

    private void Release(string fileCode)
    {
        _flagged.TryRemove(fileCode, out _);
        _committed.TryRemove(fileCode, out _);
    }

    /// <summary>Projects what is queued (bounded), then stops the loop; what is left keeps its flag for the next start-up.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_startLock)
        {
            _disposed = true;
            loop = _loop;
        }

        _queue.Writer.TryComplete();
        if (loop is not null)
        {
            try
            {
                await loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
                await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _stop.Dispose();
    }

    /// <summary>Stops the loop without waiting; what is queued keeps its flag for the next start-up.</summary>
    public void Dispose()
    {
        lock (_startLock)
        {
            if (_disposed && _loop is null)
            {
                return;
            }

            _disposed = true;
        }

        _queue.Writer.TryComplete();
        _stop.Cancel();
    }

    [LoggerMessage(EventId = 1102, EventName = "ProjectionBatchFailed", Level = LogLevel.Warning, Message = "Search projection of {Count} record files failed; their changes are committed and flagged, the pending-index run indexes them.")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 1103, EventName = "ProjectionFlagClearFailed", Level = LogLevel.Warning, Message = "Could not clear the reindex flag of record file {FileCode} after its projection; the pending-index run projects it once more.")]
    private static partial void LogClearFailed(ILogger logger, string fileCode, Exception exception);

    [LoggerMessage(EventId = 1104, EventName = "ProjectionFlagNotCleared", Level = LogLevel.Warning, Message = "Could not remove the reindex flag of record file {FileCode} after a change that was not committed; the projector reconciles it from its head.")]
    private static partial void LogFlagNotCleared(ILogger logger, string fileCode, Exception exception);
}
