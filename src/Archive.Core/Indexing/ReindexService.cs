using System.Globalization;
using Archive.Diagnostics;
using Archive.Hosting;
using Archive.Records;
using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Archive.Indexing;

/// <summary>State of a reindex.</summary>
public enum ReindexState
{
    /// <summary>Not run since start-up.</summary>
    Idle = 0,

    /// <summary>Running.</summary>
    Running = 1,

    /// <summary>Finished; the index matches storage.</summary>
    Completed = 2,

    /// <summary>Cancelled; the checkpoint is kept and the next run resumes.</summary>
    Canceled = 3,

    /// <summary>Failed; the checkpoint is kept and the next run resumes.</summary>
    Failed = 4,
}

/// <summary>How far a reindex has got (a snapshot; poll <see cref="ReindexService.Status"/>).</summary>
public sealed record ReindexStatus
{
    /// <summary>State.</summary>
    public ReindexState State { get; init; }

    /// <summary><c>rebuild</c> (a new index built beside the live one, then swapped in) or <c>upsert</c> (live index updated in place).</summary>
    public string? Mode { get; init; }

    /// <summary>Record files done (including those done before a resume).</summary>
    public long Processed { get; init; }

    /// <summary>Record files in storage when the run started.</summary>
    public long Total { get; init; }

    /// <summary>Search documents written in this run.</summary>
    public long DocumentsIndexed { get; init; }

    /// <summary>The last record file done (the checkpoint).</summary>
    public string? LastFileCode { get; init; }

    /// <summary>Whether this run resumed an interrupted one.</summary>
    public bool Resumed { get; init; }

    /// <summary>When the (first) run started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the state last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Why the run failed.</summary>
    public string? Error { get; init; }
}

/// <summary>The persisted checkpoint of a reindex (<c>jobs/reindex.json</c>).</summary>
public sealed record ReindexCheckpoint
{
    /// <summary>The rebuild's id (for <see cref="ISearchIndexRebuilder.OpenRebuildAsync"/>), or null in upsert mode.</summary>
    public string? RebuildId { get; init; }

    /// <summary><c>rebuild</c> or <c>upsert</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>The last record file done (ordinal package order).</summary>
    public string? LastFileCode { get; init; }

    /// <summary>Record files done.</summary>
    public long Processed { get; init; }

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When the checkpoint was written.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Options of one reindex run.</summary>
public sealed record ReindexRequest
{
    /// <summary>Ignore (and discard) an interrupted run instead of resuming it.</summary>
    public bool Restart { get; init; }

    /// <summary>Record files per batch and checkpoint; <see cref="ArchiveOptions.ReindexBatchSize"/> when null.</summary>
    public int? BatchSize { get; init; }
}

/// <summary>
/// Rebuilds the search index from storage alone. With an engine that offers <see cref="ISearchIndexRebuilder"/>
/// (asked through <see cref="ISearchIndex.GetService"/>, so it is found behind decorators too)
/// the new index is built beside the live one and swapped in at the end (searches keep working); otherwise documents
/// are upserted into the live index. Resumable: after each batch a checkpoint (<c>jobs/reindex.json</c>) records the
/// last record file done; a cancelled, failed or crashed run continues from there. Changes committed while a rebuild
/// runs are caught up before and after the swap.
/// </summary>
public sealed partial class ReindexService
{
    /// <summary>Key of the checkpoint object.</summary>
    public const string CheckpointKey = ArchiveStorage.JobsPrefix + "reindex.json";

    private readonly ArchiveStorage _storage;
    private readonly RecordIndexer _indexer;
    private readonly ArchiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StorageLeases? _leases;
    private ReindexStatus _status = new();

    /// <summary>The lease of a reindex across hosts.</summary>
    public const string Lease = "jobs/reindex";

    /// <summary>Creates the service.</summary>
    public ReindexService(ArchiveStorage storage, RecordIndexer indexer, IOptions<ArchiveOptions> options, TimeProvider? timeProvider = null, ILogger<ReindexService>? logger = null)
        : this(storage, indexer, options, timeProvider, logger, null)
    {
    }

    /// <summary>Creates the service; with several hosts on one storage a run holds the lease <see cref="Lease"/>.</summary>
    /// <param name="storage">The archive storage.</param>
    /// <param name="indexer">The indexer.</param>
    /// <param name="options">Engine options.</param>
    /// <param name="timeProvider">Clock.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="leases">Leases across hosts (<see langword="null"/>: one host).</param>
    public ReindexService(ArchiveStorage storage, RecordIndexer indexer, IOptions<ArchiveOptions> options, TimeProvider? timeProvider, ILogger<ReindexService>? logger, StorageLeases? leases)
    {
        _leases = leases;
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(indexer);
        ArgumentNullException.ThrowIfNull(options);
        _storage = storage;
        _indexer = indexer;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ReindexService>.Instance;
    }

    /// <summary>The current or last run's progress (safe to poll from any thread).</summary>
    public ReindexStatus Status => Volatile.Read(ref _status);

    /// <summary>
    /// The progress of the reindex wherever it runs: this host's run, or — with several hosts, while another holds the
    /// lease <see cref="Lease"/> — that run's progress as its last checkpoint in storage shows it (state Running).
    /// </summary>
    public async ValueTask<ReindexStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var local = Status;
        if (local.State == ReindexState.Running || _leases is not { Shared: true }
            || await _leases.GetAsync(Lease, cancellationToken).ConfigureAwait(false) is null)
        {
            return local;
        }

        var checkpoint = await GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
        return new ReindexStatus
        {
            State = ReindexState.Running,
            Mode = checkpoint?.Mode,
            Processed = checkpoint?.Processed ?? 0,
            LastFileCode = checkpoint?.LastFileCode,
            Resumed = false,
            StartedAt = checkpoint?.StartedAt,
            UpdatedAt = checkpoint?.UpdatedAt,
        };
    }

    /// <summary>The checkpoint of an interrupted run, or null.</summary>
    public async ValueTask<ReindexCheckpoint?> GetCheckpointAsync(CancellationToken cancellationToken = default)
    {
        var content = await _storage.Objects.GetAsync(CheckpointKey, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            return await ArchiveJson.DeserializeAsync<ReindexCheckpoint>(content.Stream, CheckpointKey, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs (or resumes) a reindex to the end. Cancelling stops after the current batch's checkpoint and throws
    /// <see cref="OperationCanceledException"/>; the next call resumes.
    /// </summary>
    /// <exception cref="ArchiveConflictException">A reindex is already running (<see cref="ConflictRules.JobRunning"/>).</exception>
    public async ValueTask<ReindexStatus> RunAsync(ReindexRequest? request = null, IProgress<ReindexStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        request ??= new ReindexRequest();
        if (!await _gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            throw new ArchiveConflictException("job", "reindex", ConflictRules.JobRunning, "A reindex is already running; poll its status.");
        }

        try
        {
            if (_leases is not { Shared: true })
            {
                return await RunCoreAsync(request, progress, cancellationToken).ConfigureAwait(false);
            }

            // Several hosts: one reindex at a time across them (the checkpoint in storage is shared, so any host resumes it).
            var lease = await _leases.TryAcquireAsync(Lease, cancellationToken).ConfigureAwait(false);
            if (lease is null)
            {
                var holder = (await _leases.GetAsync(Lease, cancellationToken).ConfigureAwait(false))?.Holder ?? "another host";
                var message = $"A reindex is running on {holder}; its progress is in the checkpoint, and this host may resume it once that host stops.";
                Volatile.Write(ref _status, Status with { State = ReindexState.Failed, Error = message, UpdatedAt = _time.GetUtcNow() });
                throw new ArchiveConflictException("job", "reindex", ConflictRules.JobRunning, message);
            }

            await using (lease.ConfigureAwait(false))
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
                return await RunCoreAsync(request, progress, linked.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<ReindexStatus> RunCoreAsync(ReindexRequest request, IProgress<ReindexStatus>? progress, CancellationToken cancellationToken)
    {
        var batchSize = request.BatchSize ?? _options.ReindexBatchSize;
        if (batchSize is < 1 or > 10_000)
        {
            throw new ArchiveValidationException("batchSize", "reindex.batch-size", "The batch size must be between 1 and 10000.");
        }

        var rebuilder = _indexer.Index.GetService<ISearchIndexRebuilder>();
        var mode = rebuilder is null ? "upsert" : "rebuild";
        var checkpoint = await GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
        if (checkpoint is not null && (request.Restart || checkpoint.Mode != mode))
        {
            if (checkpoint.RebuildId is { } oldId && rebuilder is not null)
            {
                var old = await rebuilder.OpenRebuildAsync(oldId, cancellationToken).ConfigureAwait(false);
                await using (old.ConfigureAwait(false))
                {
                    await old.DiscardAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            checkpoint = null;
        }

        var now = _time.GetUtcNow();
        checkpoint ??= new ReindexCheckpoint
        {
            Mode = mode,
            RebuildId = rebuilder is null ? null : "reindex-" + now.ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture),
            StartedAt = now,
            UpdatedAt = now,
        };
        var resumed = checkpoint.Processed > 0;
        long total = 0;
        await foreach (var _ in _storage.Files.ListPackagesAsync(null, cancellationToken).ConfigureAwait(false))
        {
            total++;
        }

        var pendingAtStart = await _indexer.ListPendingAsync(cancellationToken).ConfigureAwait(false);
        long documents = 0;
        Publish(progress, new ReindexStatus { State = ReindexState.Running, Mode = mode, Processed = checkpoint.Processed, Total = total, LastFileCode = checkpoint.LastFileCode, Resumed = resumed, StartedAt = checkpoint.StartedAt, UpdatedAt = now });
        _indexer.BeginTracking();
        ISearchIndexRebuild? rebuild = null;
        try
        {
            if (rebuilder is not null)
            {
                rebuild = await rebuilder.OpenRebuildAsync(checkpoint.RebuildId!, cancellationToken).ConfigureAwait(false);
                if (resumed && rebuild.DocumentCount == 0)
                {
                    // The half-built index is gone (e.g. its folder was deleted): start over.
                    LogRestart(_logger, checkpoint.RebuildId!);
                    checkpoint = checkpoint with { LastFileCode = null, Processed = 0 };
                    resumed = false;
                }
            }

            var batch = new List<SearchDocument>();
            if (rebuild is not null && resumed && checkpoint.LastFileCode is { } resumeAfter)
            {
                // The interrupted run's process may be gone, and with it the record of what it saw change: files it had
                // already passed that were committed since it started went to the live index only (an interrupted
                // rebuild is not open to receive them). Project those again (found by the head version's date).
                var since = checkpoint.StartedAt - TimeSpan.FromMinutes(1);
                await foreach (var fileCode in _storage.Files.ListPackagesAsync(null, cancellationToken).ConfigureAwait(false))
                {
                    var inventory = await _storage.Files.GetInventoryAsync(fileCode, cancellationToken).ConfigureAwait(false);
                    if (inventory is not null && inventory.HeadVersion.Created >= since && await _indexer.ReadHeadAsync(fileCode, cancellationToken).ConfigureAwait(false) is { } changed)
                    {
                        batch.AddRange(await _indexer.ProjectAsync(changed, cancellationToken).ConfigureAwait(false));
                    }

                    if (string.Equals(fileCode, resumeAfter, StringComparison.Ordinal))
                    {
                        break; // the checkpoint's own file was passed too; the main loop continues after it
                    }
                }

                documents += await FlushAsync(batch, rebuild, cancellationToken).ConfigureAwait(false);
            }

            var filesInBatch = 0;
            string? last = checkpoint.LastFileCode;
            var processed = checkpoint.Processed;
            await foreach (var fileCode in _storage.Files.ListPackagesAsync(checkpoint.LastFileCode, cancellationToken).ConfigureAwait(false))
            {
                var file = await _indexer.ReadHeadAsync(fileCode, cancellationToken).ConfigureAwait(false);
                if (file is not null)
                {
                    batch.AddRange(await _indexer.ProjectAsync(file, cancellationToken).ConfigureAwait(false));
                }

                filesInBatch++;
                last = fileCode;
                if (filesInBatch >= batchSize)
                {
                    documents += await FlushAsync(batch, rebuild, cancellationToken).ConfigureAwait(false);
                    processed += filesInBatch;
                    ArchiveTelemetry.JobItem("reindex", filesInBatch);
                    filesInBatch = 0;
                    checkpoint = await SaveCheckpointAsync(checkpoint with { LastFileCode = last, Processed = processed }, cancellationToken).ConfigureAwait(false);
                    Publish(progress, Status with { Processed = processed, LastFileCode = last, DocumentsIndexed = documents, UpdatedAt = checkpoint.UpdatedAt });
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            if (filesInBatch > 0)
            {
                documents += await FlushAsync(batch, rebuild, cancellationToken).ConfigureAwait(false);
                processed += filesInBatch;
                ArchiveTelemetry.JobItem("reindex", filesInBatch);
                checkpoint = await SaveCheckpointAsync(checkpoint with { LastFileCode = last, Processed = processed }, cancellationToken).ConfigureAwait(false);
            }

            if (rebuild is not null)
            {
                // Catch up on record files committed while the rebuild ran, then swap, then once more on the live index.
                foreach (var code in _indexer.DrainTouched())
                {
                    if (await _indexer.ReadHeadAsync(code, cancellationToken).ConfigureAwait(false) is { } f)
                    {
                        batch.AddRange(await _indexer.ProjectAsync(f, cancellationToken).ConfigureAwait(false));
                    }
                }

                documents += await FlushAsync(batch, rebuild, cancellationToken).ConfigureAwait(false);
                await rebuild.CommitAsync(cancellationToken).ConfigureAwait(false);
                _indexer.ForgetProjected(); // the live index is the rebuilt one now

                // It may hold record files read before their destruction (by this run, or before it was resumed).
                await _indexer.ApplyDestroyedAsync(cancellationToken).ConfigureAwait(false);
                foreach (var code in _indexer.DrainTouched())
                {
                    if (await _indexer.ReadHeadAsync(code, cancellationToken).ConfigureAwait(false) is { } f)
                    {
                        await _indexer.WriteAsync(await _indexer.ProjectAsync(f, cancellationToken).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else
            {
                await _indexer.ApplyDestroyedAsync(cancellationToken).ConfigureAwait(false);
            }

            await _indexer.Index.RefreshAsync(cancellationToken).ConfigureAwait(false);
            foreach (var code in pendingAtStart.Where(c => !_indexer.OwnedByProjector(c)))
            {
                // A flag the engine's projector holds covers a change that may be newer than what the rebuild read.
                await _indexer.ClearPendingAsync(code, cancellationToken).ConfigureAwait(false);
            }

            await _storage.Objects.DeleteAsync(CheckpointKey, cancellationToken).ConfigureAwait(false);
            var done = Status with { State = ReindexState.Completed, Processed = processed, Total = Math.Max(total, processed), LastFileCode = last, DocumentsIndexed = documents, UpdatedAt = _time.GetUtcNow() };
            Publish(progress, done);
            LogCompleted(_logger, processed, documents, mode);
            return done;
        }
        catch (OperationCanceledException)
        {
            Publish(progress, Status with { State = ReindexState.Canceled, UpdatedAt = _time.GetUtcNow() });
            throw;
        }
        catch (Exception ex)
        {
            Publish(progress, Status with { State = ReindexState.Failed, Error = ex.Message, UpdatedAt = _time.GetUtcNow() });
            throw;
        }
        finally
        {
            _indexer.EndTracking();
            if (rebuild is not null)
            {
                await rebuild.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<long> FlushAsync(List<SearchDocument> batch, ISearchIndexRebuild? rebuild, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var docs = batch.ToList();
        batch.Clear();

        // Without the record files destroyed since they were read.
        return await _indexer.WriteAsync(docs, rebuild, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<ReindexCheckpoint> SaveCheckpointAsync(ReindexCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var saved = checkpoint with { UpdatedAt = _time.GetUtcNow() };

        // The batch is already indexed: record it even if cancellation was requested meanwhile.
        _ = cancellationToken;
        await _storage.Objects.PutBytesAsync(CheckpointKey, ArchiveJson.Serialize(saved), new PutObjectOptions { ContentType = "application/json" }, CancellationToken.None).ConfigureAwait(false);
        return saved;
    }

    private void Publish(IProgress<ReindexStatus>? progress, ReindexStatus status)
    {
        Volatile.Write(ref _status, status);
        progress?.Report(status);
    }

    [LoggerMessage(EventId = 1110, EventName = "ReindexRestarted", Level = LogLevel.Warning, Message = "The interrupted rebuild {RebuildId} holds no documents any more; starting over.")]
    private static partial void LogRestart(ILogger logger, string rebuildId);

    [LoggerMessage(EventId = 1111, EventName = "ReindexCompleted", Level = LogLevel.Information, Message = "Reindex completed: {Processed} record files, {Documents} search documents ({Mode}).")]
    private static partial void LogCompleted(ILogger logger, long processed, long documents, string mode);
}
