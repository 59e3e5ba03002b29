namespace Archive.Search;

/// <summary>
/// Base of a search index that wraps another one (logging, metrics, fault injection...): every member forwards to
/// <see cref="InnerIndex"/> unless overridden, and <see cref="GetService"/> answers for the decorator itself first and
/// then asks the inner index, so capabilities such as <see cref="ISearchIndexRebuilder"/> stay reachable through any
/// number of decorators (override it to hide one).
/// </summary>
public abstract class DelegatingSearchIndex : ISearchIndex
{
    /// <summary>Wraps <paramref name="innerIndex"/>.</summary>
    protected DelegatingSearchIndex(ISearchIndex innerIndex)
    {
        ArgumentNullException.ThrowIfNull(innerIndex);
        InnerIndex = innerIndex;
    }

    /// <summary>The wrapped index.</summary>
    protected ISearchIndex InnerIndex { get; }

    /// <inheritdoc />
    public virtual string SystemName => InnerIndex.SystemName;

    /// <inheritdoc />
    public virtual SearchCapabilities Capabilities => InnerIndex.Capabilities;

    /// <inheritdoc />
    public virtual ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
        => InnerIndex.IndexAsync(documents, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
        => InnerIndex.DeleteAsync(ids, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DeleteAsync(IReadOnlyCollection<string> ids, long version, CancellationToken cancellationToken = default)
        => InnerIndex.DeleteAsync(ids, version, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<SearchResults> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
        => InnerIndex.SearchAsync(request, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask RefreshAsync(CancellationToken cancellationToken = default)
        => InnerIndex.RefreshAsync(cancellationToken);

    /// <inheritdoc />
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : InnerIndex.GetService(serviceType, serviceKey);
    }
}
