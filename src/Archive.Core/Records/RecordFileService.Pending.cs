namespace Archive.Records;

/// <summary>Completing the index for record files flagged for reindex.</summary>
public sealed partial class RecordFileService
{
    /// <summary>How long a flag whose record file was never committed is kept (its import may still be committing).</summary>
    public static readonly TimeSpan AbandonedFlagAge = TimeSpan.FromHours(1);

    /// <summary>
    /// Indexes every record file flagged for reindex (<see cref="Indexing.RecordIndexer.PendingPrefix"/>: a change whose
    /// background projection failed or never ran — a crash between the acknowledgement and the projection) from its
    /// stored head, and clears the flag. Safe while the engine serves requests: each record file is read, indexed and
    /// unflagged under its lock, so an older head never overwrites a newer one in the index; flags this engine's
    /// projector holds (changes it is projecting) are left to it; with several hosts on one storage
    /// (<see cref="Hosting.ArchiveHostsOptions.Shared"/>) a flag younger than the lease plus the clock skew is left to
    /// the host that wrote it (its projector clears it, or renews it while the record file keeps changing); and a flag
    /// whose record file is not (yet) stored is left alone until it is <see cref="AbandonedFlagAge"/> old (an import
    /// flags before it commits), then removed. The engine's background service (registered by <c>AddArchive</c>) runs
    /// this at start-up and then periodically (<see cref="Hosting.ArchiveOptions.PendingIndexInterval"/>).
    /// </summary>
    /// <returns>How many record files were indexed.</returns>
    /// <exception cref="Exception">The index cannot be updated; the flags not yet handled stay for the next run.</exception>
    public async ValueTask<int> IndexPendingAsync(CancellationToken cancellationToken = default)
    {
        var done = 0;
        var othersUntil = _time.GetUtcNow() - _options.Hosts.Lease - _options.Hosts.ClockSkew;
        foreach (var (fileCode, flaggedAt) in await _indexer.ListPendingFlagsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_options.Hosts.Shared && flaggedAt > othersUntil && !_projector.Owns(fileCode))
            {
                continue; // possibly another host's change in projection there
            }

            var gate = FileLock(fileCode);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_projector.Owns(fileCode))
                {
                    continue; // this engine's projector clears it once the change is in the index
                }

                if (!await _indexer.IsFlaggedAsync(fileCode, cancellationToken).ConfigureAwait(false))
                {
                    continue; // cleared since it was listed (its projection finished meanwhile)
                }

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
