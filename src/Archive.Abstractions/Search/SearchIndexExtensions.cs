namespace Archive.Search;

/// <summary>Helpers over <see cref="ISearchIndex"/>.</summary>
public static class SearchIndexExtensions
{
    /// <summary>Asks the index for a <typeparamref name="TService"/> (see <see cref="ISearchIndex.GetService"/>).</summary>
    /// <returns>The object, or <see langword="null"/> when the index has none.</returns>
    public static TService? GetService<TService>(this ISearchIndex index, object? serviceKey = null)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(index);
        return index.GetService(typeof(TService), serviceKey) as TService;
    }
}
