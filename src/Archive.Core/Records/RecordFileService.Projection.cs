using Archive.Indexing;

namespace Archive.Records;

/// <summary>The search projection of record file changes: acknowledged at the commit, projected in the background.</summary>
public sealed partial class RecordFileService
{
    /// <summary>The longest wait <see cref="WaitSearchableAsync"/> accepts.</summary>
    public static readonly TimeSpan MaxProjectionWait = TimeSpan.FromSeconds(30);

    /// <summary>How often a wait looks at the flag again when the change is not this engine's to project.</summary>
    private static readonly TimeSpan ProjectionPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Whether version <paramref name="version"/> of a record file is searchable. This engine knows what its projector
    /// wrote; for anything else (a change by another host, or before a restart) the pending flag decides: a committed
    /// change is flagged until it is in the index, so a record file without a flag is searchable at its committed head.
    /// Does not check access: ask for a record file the caller may see.
    /// </summary>
    /// <param name="fileCode">The record file.</param>
    /// <param name="version">A committed version of it (normally the head, or the version a write returned).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async ValueTask<RecordFileProjection> GetProjectionAsync(string fileCode, int version, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileCode);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        var known = _projector.KnownSearchable(fileCode);
        if (known >= version)
        {
            return new RecordFileProjection(fileCode, version, ProjectionState.Searchable, known);
        }

        if (_projector.IsPendingHere(fileCode, version) || _projector.Owns(fileCode)
            || await _storage.Objects.StatAsync(RecordIndexer.PendingPrefix + fileCode, cancellationToken).ConfigureAwait(false) is not null)
        {
            return new RecordFileProjection(fileCode, version, ProjectionState.Pending, known);
        }

        return new RecordFileProjection(fileCode, version, ProjectionState.Searchable, Math.Max(version, known ?? 0));
    }

    /// <summary>
    /// Waits until version <paramref name="version"/> of a record file is searchable, at most <paramref name="timeout"/>,
    /// and returns the state then: <see cref="ProjectionState.Pending"/> when the time ran out (the change is committed
    /// all the same). Woken by the engine's projector after each batch (no polling for its own changes).
    /// </summary>
    /// <param name="fileCode">The record file.</param>
    /// <param name="version">The committed version to wait for (e.g. <see cref="Versioned{T}.Version"/> of a write's result).</param>
    /// <param name="timeout">How long to wait at most (zero to <see cref="MaxProjectionWait"/>).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask<RecordFileProjection> WaitSearchableAsync(string fileCode, int version, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, MaxProjectionWait);
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            // Taken before the state is read: a batch that ends in between completes it, so the wait cannot miss it.
            var next = _projector.NextBatch;
            var state = await GetProjectionAsync(fileCode, version, cancellationToken).ConfigureAwait(false);
            var left = deadline - _time.GetUtcNow();
            if (state.State == ProjectionState.Searchable || left <= TimeSpan.Zero)
            {
                return state;
            }

            // This engine's own change wakes the wait when its batch ends; someone else's is seen by looking again.
            var poll = _projector.IsPendingHere(fileCode, version) ? left : TimeSpan.FromTicks(Math.Min(left.Ticks, ProjectionPoll.Ticks));
            try
            {
                await next.WaitAsync(poll, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>
    /// Waits until every change this engine acknowledged before the call is in the search index or its projection
    /// failed (it is then flagged for the pending-index run), at most <paramref name="timeout"/>; true when all of them
    /// are searchable. For a host that must hand over a searchable state (a test, a migration step) — a single write's
    /// caller uses <see cref="WaitSearchableAsync"/>.
    /// </summary>
    /// <param name="timeout">How long to wait at most (zero to <see cref="MaxProjectionWait"/>).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask<bool> WaitForProjectionAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, MaxProjectionWait);
        var deadline = _time.GetUtcNow() + timeout;
        var waiting = _projector.Unprojected();
        while (true)
        {
            var next = _projector.NextBatch;
            if (!waiting.Any(w => _projector.IsPendingHere(w.Key, w.Value)))
            {
                return waiting.All(w => _projector.KnownSearchable(w.Key) >= w.Value);
            }

            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            try
            {
                await next.WaitAsync(left, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>Projects what is queued (for a few seconds at most) and stops the background projector.</summary>
    public ValueTask DisposeAsync() => _projector.DisposeAsync();

    /// <summary>Stops the background projector without waiting for it; what is queued stays flagged for the next start-up.</summary>
    public void Dispose() => _projector.Dispose();

    /// <summary>
    /// Before the commit of a new record file, under its lock: an existing code is refused before anything is written
    /// (its flag may be another host's); otherwise the file is flagged as for any change.
    /// </summary>
    private async ValueTask FlagNewAsync(string fileCode, string reason, CancellationToken cancellationToken)
    {
        if (!_projector.Owns(fileCode) && await _storage.Files.GetInventoryAsync(fileCode, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new ArchiveConflictException("record-file", fileCode, ConflictRules.AlreadyExists, $"record-file '{fileCode}' already exists.");
        }

        _indexer.Recreated(fileCode); // a destroyed record file's code taken again: the new one is projected
        await _projector.BeforeCommitAsync(fileCode, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a commit, under the record file's lock: queues the projection and answers the write.</summary>
    private WriteResult<RecordFile> Acknowledge(Versioned<RecordFile> stored, IReadOnlyList<RecordWarning> warnings)
    {
        var fileCode = stored.Value.FileCode;
        _projector.Committed(fileCode, stored.Version);
        var known = _projector.KnownSearchable(fileCode);
        var state = known >= stored.Version ? ProjectionState.Searchable : ProjectionState.Pending;
        return new WriteResult<RecordFile> { Stored = stored, Warnings = warnings, Projection = new RecordFileProjection(fileCode, stored.Version, state, known) };
    }
}
