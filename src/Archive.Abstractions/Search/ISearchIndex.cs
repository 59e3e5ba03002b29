namespace Archive.Search;

/// <summary>
/// A full-text index of record files and documents. It is a projection of the stored packages and can always
/// be rebuilt from them. Upserts are idempotent (same <see cref="SearchDocument.Id"/> replaces).
/// </summary>
/// <remarks>
/// <para>Order of writes: an index that several processes write to (Elasticsearch) orders the writes of one document
/// by <see cref="SearchDocument.Version"/>: a document of an older version never replaces one of a newer version, even
/// when its write arrives later (it is dropped as not needed, which is not an error). An index written by one process
/// only (Lucene, which locks its folder) may ignore the version: there the last write wins, and the caller orders its
/// own writes (Core indexes a record file under that record file's lock).</para>
/// <para>Writes may become visible to searches a little later (Elasticsearch refresh, Lucene reopen). A search with
/// <see cref="SearchConsistency.ReadYourWrites"/>, or a call to <see cref="RefreshAsync"/>, is the visibility
/// barrier: every write acknowledged before it is visible to it. Backend failures throw
/// <see cref="ArchiveSearchException"/>; bad requests throw <see cref="ArchiveValidationException"/>. Optional features
/// are capability interfaces (e.g. <see cref="ISearchIndexRebuilder"/>) obtained through <see cref="GetService"/> (or
/// <see cref="SearchIndexExtensions.GetService{TService}"/>), which a decorator forwards to the index it wraps (see
/// <see cref="DelegatingSearchIndex"/>); how search results differ between engines is described by
/// <see cref="Capabilities"/>.</para>
/// </remarks>
public interface ISearchIndex
{
    /// <summary>Short name of the engine for errors and logs (e.g. <c>lucene</c>, <c>elasticsearch</c>).</summary>
    string SystemName { get; }

    /// <summary>What this engine's results offer beyond the core (highlights, facets).</summary>
    SearchCapabilities Capabilities { get; }

    /// <summary>Adds or replaces documents. Returns once the engine has durably accepted them.</summary>
    ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default);

    /// <summary>Removes documents by id; ids that are not indexed are ignored.</summary>
    ValueTask DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes documents by id whose source was last at <paramref name="version"/> (e.g. the package head version of a
    /// record file being destroyed); ids that are not indexed are ignored. An index that orders writes by
    /// <see cref="SearchDocument.Version"/> keeps the deletion over a write of the same ids with a version up to
    /// <paramref name="version"/> that arrives later (while it remembers the deletion), and fails when it holds a
    /// document of a newer version. The default implementation ignores the version and calls
    /// <see cref="DeleteAsync(IReadOnlyCollection{string}, CancellationToken)"/>.
    /// </summary>
    /// <param name="ids">The document ids.</param>
    /// <param name="version">The last version of their source (not negative).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask DeleteAsync(IReadOnlyCollection<string> ids, long version, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        return DeleteAsync(ids, cancellationToken);
    }

    /// <summary>Runs a query.</summary>
    ValueTask<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Visibility barrier: when it returns, every write acknowledged before the call is searchable.</summary>
    ValueTask RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks for an optional capability (e.g. <see cref="ISearchIndexRebuilder"/>) or an object of a given type: the
    /// index itself when it is a <paramref name="serviceType"/>, something it holds, or <see langword="null"/>. A
    /// decorator answers for itself first and then forwards to the index it wraps.
    /// </summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">An optional key; an index that does not know it answers <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when the index has none.</returns>
    object? GetService(Type serviceType, object? serviceKey = null);
}

/// <summary>
/// Capability of a search index (see <see cref="ISearchIndex.GetService"/>): rebuild the whole index from scratch while the current one keeps serving, then switch atomically.
/// </summary>
public interface ISearchIndexRebuilder
{
    /// <summary>
    /// Opens a rebuild. A rebuild with the same <paramref name="rebuildId"/> that was neither committed nor
    /// discarded is resumed with what it already holds, so a caller that tracks its own checkpoint can continue
    /// after a crash.
    /// </summary>
    ValueTask<ISearchIndexRebuild> OpenRebuildAsync(string rebuildId, CancellationToken cancellationToken = default);
}

/// <summary>An index being rebuilt beside the live one. Disposing without <see cref="CommitAsync"/> keeps it resumable.</summary>
public interface ISearchIndexRebuild : IAsyncDisposable
{
    /// <summary>The rebuild's identifier.</summary>
    string RebuildId { get; }

    /// <summary>Documents already in the rebuilt index (including those from before a resume).</summary>
    long DocumentCount { get; }

    /// <summary>Adds or replaces documents in the new index.</summary>
    ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default);

    /// <summary>Makes the new index the live one, atomically for searchers; the old one is dropped.</summary>
    ValueTask CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Throws the new index away; the live one is untouched.</summary>
    ValueTask DiscardAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// How search results differ between engines; the conformance suite skips what is not claimed. Optional operations
/// (such as a rebuild) are not flags but capability interfaces obtained through <see cref="ISearchIndex.GetService"/>.
/// </summary>
[Flags]
public enum SearchCapabilities
{
    /// <summary>Only the core contract.</summary>
    None = 0,

    /// <summary>Highlighted snippets.</summary>
    Highlights = 1,

    /// <summary>Facet counts.</summary>
    Facets = 2,
}

/// <summary>A search engine failed. Names the system, the index and the operation.</summary>
public class ArchiveSearchException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveSearchException(string system, string index, string operation, string message, Exception? innerException = null)
        : base($"{system} '{index}' {operation} failed: {message}", innerException)
    {
        System = system;
        Index = index;
        Operation = operation;
    }

    /// <summary>The engine (e.g. <c>lucene</c>, <c>elasticsearch</c>).</summary>
    public string System { get; }

    /// <summary>The index (folder, index or alias name).</summary>
    public string Index { get; }

    /// <summary>The operation that failed (e.g. <c>index</c>, <c>search</c>).</summary>
    public string Operation { get; }
}

/// <summary>
/// This host keeps no search index on purpose (e.g. an ingest host of a shared deployment before a search cluster is
/// configured): searches cannot be answered here, retrying will not help. Its <see cref="Exception.Message"/> says why
/// and which setting to change; a host maps it to 503 with the rule <c>search.unavailable</c>.
/// </summary>
public class SearchUnavailableException : ArchiveSearchException
{
    private readonly string _reason;

    /// <summary>Creates the exception.</summary>
    /// <param name="system">The engine standing in for an index (e.g. <c>none</c>).</param>
    /// <param name="reason">Why there is no index and which setting provides one, for a person.</param>
    public SearchUnavailableException(string system, string reason)
        : base(system, "", "search", reason)
    {
        _reason = reason;
    }

    /// <summary>The reason given (without the system/index/operation prefix of <see cref="ArchiveSearchException"/>).</summary>
    public override string Message => _reason;
}
