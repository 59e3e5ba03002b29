using System.Collections.Concurrent;

namespace Archive.Records;

/// <summary>
/// Every entity of a small collection (agencies, fonds), loaded from its packages once on first use, by one caller at
/// a time; the registry keeps it current after its own writes, and <see cref="Invalidate"/> drops it.
/// </summary>
internal sealed class RegistryCache<T>
    where T : class
{
    private readonly PackageEntityStore<T> _store;
    private readonly Func<T, string> _keyOf;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private ConcurrentDictionary<string, Versioned<T>>? _cache;

    public RegistryCache(PackageEntityStore<T> store, Func<T, string> keyOf)
    {
        _store = store;
        _keyOf = keyOf;
    }

    /// <summary>The entities by key, loading them first when needed.</summary>
    public async ValueTask<ConcurrentDictionary<string, Versioned<T>>> GetAsync(CancellationToken cancellationToken)
    {
        if (_cache is { } c)
        {
            return c;
        }

        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cache is { } c2)
            {
                return c2;
            }

            var loaded = new ConcurrentDictionary<string, Versioned<T>>(StringComparer.Ordinal);
            await foreach (var e in _store.ListAsync(null, cancellationToken).ConfigureAwait(false))
            {
                loaded[_keyOf(e.Value)] = e;
            }

            _cache = loaded;
            return loaded;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    /// <summary>Drops the cache; the next <see cref="GetAsync"/> reloads everything.</summary>
    public void Invalidate() => _cache = null;
}
