namespace Archive.Records;

/// <summary>Completing the index for record files flagged for reindex.</summary>
public sealed partial class RecordFileService
{
    /// <summary>How long a flag whose record file was never committed is kept (its import may still be committing).</summary>
    public static readonly TimeSpan AbandonedFlagAge = TimeSpan.FromHours(1);

    /// <summary>
    /// Indexes a record file whose change is committed. Not cancellable: the update runs to the end even if the caller
    /// gives up after the commit (a cancelled update would leave the change unsearchable until the next pending-index
    /// run); a failure flags the record file for that run.
    /// </summary>
    private ValueTask<bool> IndexCommittedAsync(Versioned<RecordFile> stored) => _indexer.IndexAsync(stored, CancellationToken.None);

    /// <summary>
    /// Indexes every record file flagged for reindex (<see cref="Indexing.RecordIndexer.PendingPrefix"/>: an index update
    /// that failed or was cancelled after its commit, or a batch import interrupted before its index update) from its
    /// stored head, and clears the flag. Safe while the engine serves requests: each record file is read, indexed and
    /// unflagged under its lock, so an older head never overwrites a newer one in the index, and a flag whose record
    /// file is not (yet) stored is left alone until it is <see cref="AbandonedFlagAge"/> old (an import flags before it
    /// commits), then removed. The engine's background service (registered by <c>AddArchive</c>) runs this at start-up and then periodically
    /// (<see cref="Hosting.ArchiveOptions.PendingIndexInterval"/>).
    /// </summary>
    /// <returns>How many record files were indexed.</returns>
    /// <exception cref="Exception">The index cannot be updated; the flags not yet handled stay for the next run.</exception>
    public async ValueTask<int> IndexPendingAsync(CancellationToken cancellationToken = default)
    {
        var done = 0;
        foreach (var (fileCode, flaggedAt) in await _indexer.ListPendingFlagsAsync(cancellationToken).ConfigureAwait(false))
        {
            var gate = FileLock(fileCode);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var head = await _store.GetAsync(fileCode, null, cancellationToken).ConfigureAwait(false);
                if (head is null)
                {
                    if (_time.GetUtcNow() - flaggedAt < AbandonedFlagAge)
                    {
                        continue;
                    }
                }
                else
                {
                    await _indexer.IndexOrThrowAsync(head, cancellationToken).ConfigureAwait(false);
                    done++;
                }

                await _indexer.ClearPendingAsync(fileCode, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        return done;
    }
}
