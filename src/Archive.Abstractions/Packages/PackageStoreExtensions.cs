namespace Archive.Packages;

/// <summary>Helpers over <see cref="IPackageStore"/>.</summary>
public static class PackageStoreExtensions
{
    /// <summary>Asks the store for a <typeparamref name="TService"/> (see <see cref="IPackageStore.GetService"/>).</summary>
    /// <returns>The object, or <see langword="null"/> when the store has none.</returns>
    public static TService? GetService<TService>(this IPackageStore store, object? serviceKey = null)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetService(typeof(TService), serviceKey) as TService;
    }
}
