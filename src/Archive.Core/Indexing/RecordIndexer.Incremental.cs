using System.Buffers.Binary;
using System.Security.Cryptography;
using Archive.Records;
using Archive.Search;

namespace Archive.Indexing;

/// <summary>
/// Incremental projection: with one host, a change re-projects only what it changed — the record file's own search
/// document and the documents whose elements or content files differ from the version this indexer last wrote — so
/// adding the 1,000th document to a record file does not re-read and re-analyse the text of the other 999.
/// </summary>
/// <remarks>
/// Sound because a document's search document depends only on the document and on the record file's own elements
/// (<see cref="SearchProjection.ForDocument"/>): when those are unchanged, so is the search document. What this indexer
/// wrote is remembered as digests (16 bytes per document, at most <see cref="RememberedFiles"/> record files), and
/// only trusted while nothing else may have changed the index for that record file: not when several hosts share the
/// storage (another host's change between two of ours is not seen here), and forgotten when a record file's index
/// entries are deleted (<see cref="ForgetProjected"/>) or the index is rebuilt. Anything else — first change seen, a
/// removed document, changed own elements — projects the whole record file, as before.
/// </remarks>
public sealed partial class RecordIndexer
{
    /// <summary>How many record files' projections are remembered (least recently used forgotten first).</summary>
    internal const int RememberedFiles = 4096;

    private readonly Dictionary<string, Projected> _projected = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _projectedOrder = new();
    private readonly object _projectedLock = new();

    private sealed record Projected(int Version, UInt128 Own, Dictionary<int, UInt128> Documents, LinkedListNode<string> Node);

    /// <summary>The search documents to write for <paramref name="stored"/>: its changes when known, else all (see remarks of the class).</summary>
    private ValueTask<IReadOnlyList<SearchDocument>> ProjectChangesAsync(Versioned<RecordFile> stored, CancellationToken cancellationToken)
    {
        var file = stored.Value;
        Projected? last = null;
        if (!_storage.Shared)
        {
            lock (_projectedLock)
            {
                _projected.TryGetValue(file.FileCode, out last);
            }
        }

        if (last is null || last.Version >= stored.Version || last.Own != OwnDigest(file)
            || last.Documents.Keys.Any(k => !file.Documents.Any(d => d.DocOrdinal == k)))
        {
            return ProjectAsync(stored, null, cancellationToken);
        }

        var changed = file.Documents.Where(d => !last.Documents.TryGetValue(d.DocOrdinal, out var digest) || digest != Digest(d)).ToList();
        return ProjectAsync(stored, changed, cancellationToken);
    }

    /// <summary>Remembers what the index now holds for <paramref name="stored"/> (after its search documents were written).</summary>
    private void RememberProjected(Versioned<RecordFile> stored)
    {
        if (_storage.Shared)
        {
            return;
        }

        var file = stored.Value;
        var own = OwnDigest(file);
        var documents = file.Documents.ToDictionary(d => d.DocOrdinal, Digest);
        lock (_projectedLock)
        {
            if (_projected.TryGetValue(file.FileCode, out var existing))
            {
                if (existing.Version > stored.Version)
                {
                    return;
                }

                _projectedOrder.Remove(existing.Node);
            }

            var node = _projectedOrder.AddLast(file.FileCode);
            _projected[file.FileCode] = new Projected(stored.Version, own, documents, node);
            while (_projected.Count > RememberedFiles && _projectedOrder.First is { } oldest)
            {
                _projectedOrder.RemoveFirst();
                _projected.Remove(oldest.Value);
            }
        }
    }

    /// <summary>
    /// Forgets what was written for one record file (its index entries were deleted or rewritten by something other
    /// than this indexer's change path), or for all when <paramref name="fileCode"/> is null (the index was rebuilt);
    /// their next change projects the whole record file.
    /// </summary>
    internal void ForgetProjected(string? fileCode = null)
    {
        lock (_projectedLock)
        {
            if (fileCode is null)
            {
                _projected.Clear();
                _projectedOrder.Clear();
            }
            else if (_projected.Remove(fileCode, out var existing))
            {
                _projectedOrder.Remove(existing.Node);
            }
        }
    }

    private static UInt128 OwnDigest(RecordFile file) => Hash(ArchiveJson.Serialize(file with { Documents = [], DocTotal = 0, PageTotal = 0 }));

    private static UInt128 Digest(Document document) => Hash(ArchiveJson.Serialize(document));

    private static UInt128 Hash(byte[] bytes)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes, digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }
}
