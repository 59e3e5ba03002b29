using System.Runtime.CompilerServices;

namespace Archive.Storage;

/// <summary>Helpers over <see cref="IObjectStore"/>.</summary>
public static class ObjectStoreExtensions
{
    /// <summary>Streams every object under <paramref name="prefix"/>, page by page.</summary>
    public static async IAsyncEnumerable<ObjectInfo> ListAsync(this IObjectStore store, string prefix, int pageSize = 1000, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string? token = null;
        do
        {
            var page = await store.ListPageAsync(prefix, new ObjectListOptions { ContinuationToken = token, PageSize = pageSize }, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>Asks the store for a <typeparamref name="TService"/> (see <see cref="IObjectStore.GetService"/>).</summary>
    /// <returns>The object, or <see langword="null"/> when the store has none.</returns>
    public static TService? GetService<TService>(this IObjectStore store, object? serviceKey = null)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.GetService(typeof(TService), serviceKey) as TService;
    }

    /// <summary>The store's retention capability, or <see langword="null"/> when it has none.</summary>
    public static IObjectRetentionStore? GetRetention(this IObjectStore store) => store.GetService<IObjectRetentionStore>();

    /// <summary>Writes a byte array (for small objects such as inventories).</summary>
    public static async ValueTask<ObjectInfo> PutBytesAsync(this IObjectStore store, string key, ReadOnlyMemory<byte> content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        return await store.PutAsync(key, stream, options, cancellationToken).ConfigureAwait(false);
    }
}
