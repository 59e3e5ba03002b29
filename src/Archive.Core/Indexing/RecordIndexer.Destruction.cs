using System.Collections.Concurrent;
using Archive.Records;
using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.Logging;

namespace Archive.Indexing;

/// <summary>
/// Destruction wins over every projection: a record file's search documents, once removed for its destruction, are
/// never written again by this engine — not by a projection that read the record file before it was destroyed (the
/// projector, the pending-index run, a reindex), and not by a rebuild that had read it before and is swapped in later.
/// </summary>
/// <remarks>
/// Every write of projections to the index (or to a rebuild) and the removal of a destroyed record file take one gate:
/// a write that comes after the removal leaves the destroyed record file's documents out, and a removal that comes after
/// a write deletes what it wrote. While a reindex runs or waits to be resumed (its checkpoint exists) the removal also
/// leaves a note (<see cref="DestroyedPrefix"/>) that the reindex applies to the index it swaps in, since a rebuild may
/// hold documents it read before the destruction (also when it is resumed after a restart). Several hosts on one index
/// rely on the index keeping the deletion by version (<see cref="ISearchIndex.DeleteAsync(IReadOnlyCollection{string}, long, CancellationToken)"/>).
/// </remarks>
public sealed partial class RecordIndexer
{
    /// <summary>Prefix of the notes of record files destroyed while a reindex runs or waits to be resumed.</summary>
    internal const string DestroyedPrefix = ArchiveStorage.JobsPrefix + "reindex-destroyed/";

    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>Record files this engine removed from the index for their destruction (until a new one takes the code).</summary>
    private readonly ConcurrentDictionary<string, byte> _destroyed = new(StringComparer.Ordinal);

    /// <summary>
    /// Writes search documents to the live index, or to <paramref name="rebuild"/>, leaving out those of record files
    /// destroyed meanwhile; returns how many were written.
    /// </summary>
    internal async ValueTask<int> WriteAsync(IReadOnlyCollection<SearchDocument> documents, ISearchIndexRebuild? rebuild, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var left = documents;
            if (!_destroyed.IsEmpty)
            {
                var kept = documents.Where(d => d.FileCode is null || !_destroyed.ContainsKey(d.FileCode)).ToList();
                if (kept.Count < documents.Count)
                {
                    LogDestroyedLeftOut(_logger, documents.Count - kept.Count, string.Join(", ", documents.Select(d => d.FileCode).Where(c => c is not null && _destroyed.ContainsKey(c)).Distinct()));
                }

                left = kept;
            }

            if (left.Count > 0)
            {
                await (rebuild is null ? Index.IndexAsync(left, cancellationToken) : rebuild.IndexAsync(left, cancellationToken)).ConfigureAwait(false);
            }

            return left.Count;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Whether this engine removed the record file from the index for its destruction.</summary>
    internal bool IsDestroyed(string fileCode) => _destroyed.ContainsKey(fileCode);

    /// <summary>
    /// Removes a record file being destroyed from the index (its documents <paramref name="ids"/>, last at package
    /// version <paramref name="version"/>), so that no projection of this engine writes it again. Called under the
    /// record file's lock, after its reindex flag was removed.
    /// </summary>
    internal async ValueTask RemoveDestroyedAsync(string fileCode, IReadOnlyCollection<string> ids, int version, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Under the gate: a rebuild that wrote the record file before this point was tracking already (or has a checkpoint).
            if (_touched is not null || await _storage.Objects.StatAsync(ReindexService.CheckpointKey, cancellationToken).ConfigureAwait(false) is not null)
            {
                var note = ArchiveJson.Serialize(new DestroyedNote(fileCode, [.. ids], version));
                await _storage.Objects.PutBytesAsync(DestroyedPrefix + fileCode, note, new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
            }

            _destroyed[fileCode] = 0;
            ForgetProjected(fileCode);
            await Index.DeleteAsync(ids, version, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>A new record file takes the code of a destroyed one (under its lock, before its first commit).</summary>
    internal void Recreated(string fileCode) => _destroyed.TryRemove(fileCode, out _);

    /// <summary>
    /// After a reindex swapped its index in (or upserted into the live one): removes the record files destroyed while it
    /// ran or waited (projecting again a new record file that took a destroyed one's code), then their notes; returns how many.
    /// </summary>
    internal async ValueTask<int> ApplyDestroyedAsync(CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await foreach (var o in _storage.Objects.ListAsync(DestroyedPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(o.Key);
        }

        foreach (var key in keys)
        {
            var content = await _storage.Objects.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                continue;
            }

            DestroyedNote note;
            await using (content.ConfigureAwait(false))
            {
                note = await ArchiveJson.DeserializeAsync<DestroyedNote>(content.Stream, key, cancellationToken).ConfigureAwait(false);
            }

            await Index.DeleteAsync(note.Ids, note.Version, cancellationToken).ConfigureAwait(false);
            if (await ReadHeadAsync(note.FileCode, cancellationToken).ConfigureAwait(false) is { } taken)
            {
                // The code was taken again by a new record file, which the swapped-in index may not hold as it is now.
                await WriteAsync(await ProjectAsync(taken, cancellationToken).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var key in keys)
        {
            await _storage.Objects.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return keys.Count;
    }

    /// <summary>What a reindex must remove from the index it swaps in: a destroyed record file's search documents.</summary>
    internal sealed record DestroyedNote(string FileCode, IReadOnlyList<string> Ids, int Version);

    [LoggerMessage(EventId = 1105, EventName = "DestroyedProjectionLeftOut", Level = LogLevel.Information, Message = "Left out {Count} search documents of record files destroyed while they were being projected: {FileCodes}.")]
    private static partial void LogDestroyedLeftOut(ILogger logger, int count, string fileCodes);
}
