using System.Collections.Concurrent;
using System.Text;
using Archive.Diagnostics;
using Archive.Records;
using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.Indexing;

/// <summary>
/// Keeps the search index in step with stored record files: projects them and writes the projections. The engine's
/// background projector writes every committed change through it; a record file is flagged for reindex with a small
/// object <c>jobs/reindex-pending/&lt;fileCode&gt;</c> before its change is committed and the flag is cleared once the
/// change is in the index — by the projector, by <see cref="RecordFileService.IndexPendingAsync"/> (run at start-up and
/// periodically) or by a full reindex — so an index update that fails or never happens (a crash) is completed later.
/// </summary>
public sealed partial class RecordIndexer
{
    /// <summary>Prefix of the pending-reindex flags.</summary>
    public const string PendingPrefix = ArchiveStorage.JobsPrefix + "reindex-pending/";

    private readonly ArchiveStorage _storage;
    private readonly PackageEntityStore<RecordFile> _files;
    private readonly ILogger _logger;
    private ConcurrentDictionary<string, byte>? _touched;

    /// <summary>Creates the indexer.</summary>
    public RecordIndexer(ArchiveStorage storage, ISearchIndex index, ILogger<RecordIndexer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(index);
        _storage = storage;
        _files = new PackageEntityStore<RecordFile>(storage.Files, "record-file", RecordFileService.MetadataPath);
        Index = index;
        _logger = logger ?? NullLogger<RecordIndexer>.Instance;
    }

    /// <summary>The search index written to.</summary>
    public ISearchIndex Index { get; }

    /// <summary>
    /// The search documents of a record file as stored at <paramref name="stored"/>'s package version, reading the
    /// extracted page texts from that version; each carries the version as <see cref="SearchDocument.Version"/>, so an
    /// index shared by several hosts keeps the newest projection whatever order the writes arrive in.
    /// </summary>
    public ValueTask<IReadOnlyList<SearchDocument>> ProjectAsync(Versioned<RecordFile> stored, CancellationToken cancellationToken = default)
        => ProjectAsync(stored, null, cancellationToken);

    /// <summary>
    /// The record file's own search document and those of <paramref name="only"/> of its documents (all when null),
    /// reading only their extracted texts.
    /// </summary>
    private async ValueTask<IReadOnlyList<SearchDocument>> ProjectAsync(Versioned<RecordFile> stored, IReadOnlyCollection<Document>? only, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var file = stored.Value;
        var version = stored.Version;
        var pages = new Dictionary<int, (List<string> Texts, List<string?> Labels)>();
        foreach (var document in only ?? file.Documents)
        {
            List<string>? all = null;
            List<string?>? labels = null;
            foreach (var content in document.Contents)
            {
                if (content.TextPath is null)
                {
                    continue;
                }

                var text = await ReadSectionsForProjectionAsync(file.FileCode, content.TextPath, version, cancellationToken).ConfigureAwait(false);
                if (text is not null)
                {
                    (all ??= []).AddRange(text.Select(p => p.Text));
                    (labels ??= []).AddRange(text.Select(p => p.Label));
                }
            }

            if (all is not null)
            {
                pages[document.DocOrdinal] = (all, labels!);
            }
        }

        Func<Document, IReadOnlyList<string>?> texts = d => pages.TryGetValue(d.DocOrdinal, out var p) ? p.Texts : null;
        Func<Document, IReadOnlyList<string?>?> pageLabels = d => pages.TryGetValue(d.DocOrdinal, out var p) && p.Labels.Any(l => l is not null) ? p.Labels : null;
        if (only is null)
        {
            return SearchProjection.Project(file, texts, version, pageLabels);
        }

        var list = new List<SearchDocument>(only.Count + 1) { SearchProjection.ForRecordFile(file) with { Version = version } };
        list.AddRange(only.OrderBy(d => d.DocOrdinal).Select(d => SearchProjection.ForDocument(file, d, texts(d), pageLabels(d)) with { Version = version }));
        return list;
    }

    /// <summary>Reads an extracted-text file (JSON array of page texts) of a record file package; null when absent.</summary>
    public async ValueTask<IReadOnlyList<string>?> ReadPagesAsync(string fileCode, string textPath, int? version = null, CancellationToken cancellationToken = default)
        => (await ReadSectionsAsync(fileCode, textPath, version, cancellationToken).ConfigureAwait(false))?.Select(p => p.Text).ToList();

    /// <summary>
    /// Reads an extracted-text file of a record file package with the label of each sheet or section (a page's label
    /// is null; files written before labels existed hold pages only); null when absent.
    /// </summary>
    public async ValueTask<IReadOnlyList<ExtractedPage>?> ReadSectionsAsync(string fileCode, string textPath, int? version = null, CancellationToken cancellationToken = default)
    {
        var content = await _storage.Files.OpenFileAsync(fileCode, textPath, version, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            return await ArchiveJson.DeserializeAsync<List<ExtractedPage>>(content.Stream, $"record file '{fileCode}' {textPath}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <see cref="ReadSectionsAsync"/> for a projection: the pages a write handed off (<see cref="HandOff"/>) when the
    /// package's digest of the stored file is the digest they were offered under, else the file as stored.
    /// </summary>
    private async ValueTask<IReadOnlyList<ExtractedPage>?> ReadSectionsForProjectionAsync(string fileCode, string textPath, int version, CancellationToken cancellationToken)
    {
        var content = await _storage.Files.OpenFileAsync(fileCode, textPath, version, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            var handedOff = HandOff.Take(content.Info.Sha256);
            ArchiveTelemetry.ProjectionText(handedOff is not null);
            return handedOff
                ?? await ArchiveJson.DeserializeAsync<List<ExtractedPage>>(content.Stream, $"record file '{fileCode}' {textPath}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Extracted texts handed from the writes to the projection (set by the engine's projector; off by default).</summary>
    internal TextHandOff HandOff { get; set; } = new(0);

    /// <summary>
    /// Flags a record file for reindex before a change whose index update comes later (a batch): a crash in between
    /// leaves the flag, so the change is indexed by <see cref="RecordFileService.IndexPendingAsync"/> or a reindex. Throws when the flag
    /// cannot be written (the change must then not be committed).
    /// </summary>
    public async ValueTask FlagPendingAsync(string fileCode, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileCode);
        var json = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { fileCode, flaggedAt = DateTimeOffset.UtcNow, reason }, ArchiveJson.Options));
        await _storage.Objects.PutBytesAsync(PendingPrefix + fileCode, json, new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Record files flagged for reindex.</summary>
    public async ValueTask<IReadOnlyList<string>> ListPendingAsync(CancellationToken cancellationToken = default)
        => [.. (await ListPendingFlagsAsync(cancellationToken).ConfigureAwait(false)).Select(f => f.FileCode)];

    /// <summary>Record files flagged for reindex, with the time each flag was written.</summary>
    internal async ValueTask<IReadOnlyList<(string FileCode, DateTimeOffset FlaggedAt)>> ListPendingFlagsAsync(CancellationToken cancellationToken)
    {
        var list = new List<(string, DateTimeOffset)>();
        await foreach (var o in _storage.Objects.ListAsync(PendingPrefix, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add((o.Key[PendingPrefix.Length..], o.LastModified));
        }

        ArchiveTelemetry.SetPendingIndex(list.Count);
        return list;
    }

    /// <summary>Projects and indexes <paramref name="stored"/>; throws when the index cannot be updated.</summary>
    internal ValueTask IndexOrThrowAsync(Versioned<RecordFile> stored, CancellationToken cancellationToken)
        => WriteProjectionAsync([stored], cancellationToken);

    /// <summary>
    /// Projects record files read at their heads and writes them with one index update (one index commit); a record
    /// file destroyed since its head was read is left out (see <see cref="WriteAsync"/>).
    /// </summary>
    internal async ValueTask WriteProjectionAsync(IReadOnlyList<Versioned<RecordFile>> heads, CancellationToken cancellationToken)
    {
        if (heads.Count == 0)
        {
            return;
        }

        var documents = new List<SearchDocument>();
        foreach (var head in heads)
        {
            _touched?.TryAdd(head.Value.FileCode, 0);
            documents.AddRange(await ProjectChangesAsync(head, cancellationToken).ConfigureAwait(false));
        }

        await WriteAsync(documents, null, cancellationToken).ConfigureAwait(false);
        foreach (var head in heads.Where(h => !IsDestroyed(h.Value.FileCode)))
        {
            RememberProjected(head);
        }
    }

    /// <summary>The storage the record files are read from.</summary>
    internal ArchiveStorage Storage => _storage;

    /// <summary>Whether the engine's projector holds the flag of a record file (set by the projector; a reindex leaves those flags alone).</summary>
    internal Func<string, bool> OwnedByProjector { get; set; } = static _ => false;

    /// <summary>Whether the record file is flagged for reindex now.</summary>
    internal async ValueTask<bool> IsFlaggedAsync(string fileCode, CancellationToken cancellationToken)
        => await _storage.Objects.StatAsync(PendingPrefix + fileCode, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Removes the reindex flag of a record file (after its index update).</summary>
    internal async ValueTask ClearPendingAsync(string fileCode, CancellationToken cancellationToken)
        => await _storage.Objects.DeleteAsync(PendingPrefix + fileCode, cancellationToken).ConfigureAwait(false);

    /// <summary>The record file at its package head, with the head's version number; null when it is not stored.</summary>
    internal ValueTask<Versioned<RecordFile>?> ReadHeadAsync(string fileCode, CancellationToken cancellationToken)
        => _files.GetAsync(fileCode, null, cancellationToken);

    /// <summary>Starts remembering which record files are indexed (used by a rebuild to catch up on concurrent changes).</summary>
    internal void BeginTracking() => _touched = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);

    /// <summary>Returns and clears the record files indexed since <see cref="BeginTracking"/>.</summary>
    internal IReadOnlyList<string> DrainTouched()
    {
        var t = _touched;
        if (t is null)
        {
            return [];
        }

        var keys = t.Keys.ToList();
        foreach (var k in keys)
        {
            t.TryRemove(k, out _);
        }

        return keys;
    }

    internal void EndTracking() => _touched = null;
}
