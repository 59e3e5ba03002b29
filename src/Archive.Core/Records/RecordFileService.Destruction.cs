namespace Archive.Records;

/// <summary>Destruction of a record file (<see cref="Disposition.DispositionService"/>) against this engine's own writers.</summary>
public sealed partial class RecordFileService
{
    /// <summary>
    /// Runs <paramref name="destroy"/> under the record file's lock, the one every change, the projector's settling and
    /// the pending-index run take: no change of this engine commits and no flag is healed while the record file is
    /// checked, removed from the index and purged.
    /// </summary>
    internal async ValueTask<T> DestroyLockedAsync<T>(string fileCode, Func<ValueTask<T>> destroy, CancellationToken cancellationToken)
    {
        var gate = FileLock(fileCode);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await destroy().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Within <see cref="DestroyLockedAsync"/>, before the package is purged: removes the record file's reindex flag
    /// (so no pending-index run, also after a crash, projects it again), then its search documents (<paramref name="ids"/>,
    /// of package version <paramref name="version"/>) so that no projection of this engine in flight writes them again;
    /// the projector forgets what it knew of the record file.
    /// </summary>
    internal async ValueTask RemoveFromSearchAsync(string fileCode, IReadOnlyCollection<string> ids, int version, CancellationToken cancellationToken)
    {
        await _indexer.ClearPendingAsync(fileCode, cancellationToken).ConfigureAwait(false);
        await _indexer.RemoveDestroyedAsync(fileCode, ids, version, cancellationToken).ConfigureAwait(false);
        _projector.Forget(fileCode);
    }
}
