using Archive.Search;

/// <summary>
/// The search "index" of a host that keeps none (<c>Archive:Search:Provider=None</c>, e.g. an ingest host of a shared
/// deployment before a search cluster is configured): writes are accepted and dropped, so records are stored and
/// nothing is flagged for reindex; searches throw <see cref="SearchUnavailableException"/>, which the API answers with
/// a 503 problem <c>search.unavailable</c>. The index is a projection of storage: once a provider is configured, a
/// reindex builds it from the stored packages.
/// </summary>
internal sealed class NoSearchIndex : ISearchIndex
{
    /// <summary>Value of <see cref="SystemName"/>.</summary>
    public const string System = "none";

    /// <summary>Why searches are refused, naming the setting that provides an index.</summary>
    public const string Reason = "This host keeps no search index (" + ServerProviders.SearchProviderKey + "=None): searches are not served here. "
        + "Set " + ServerProviders.SearchProviderKey + "=Elasticsearch (or Lucene) and run a reindex to build the index from storage.";

    /// <inheritdoc />
    public string SystemName => System;

    /// <inheritdoc />
    public SearchCapabilities Capabilities => SearchCapabilities.None;

    /// <inheritdoc />
    public ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
        => throw new SearchUnavailableException(System, Reason);

    /// <inheritdoc />
    public ValueTask RefreshAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }
}
