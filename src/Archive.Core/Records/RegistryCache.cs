using System.Collections.Concurrent;

namespace Archive.Records;

/// <summary>
/// Every entity of a small collection (agencies, fonds), loaded from its packages once on first use, by one caller at
/// a time; the registry keeps it current after its own writes, and <see cref="Invalidate"/> drops it. With a maximum
/// age (several hosts on one storage) it is read again once older than that, so changes of other hosts show.
/// </summary>
internal sealed class RegistryCache<T>
    where T : class
{
    private readonly PackageEntityStore<T> _store;
    private readonly Func<T, string> _keyOf;
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly TimeSpan? _maxAge;
    private ConcurrentDictionary<string, Versioned<T>>? _cache;
    private long _loadedAt;

    public RegistryCache(PackageEntityStore<T> store, Func<T, string> keyOf, TimeSpan? maxAge = null)
    {
        _store = store;
        _keyOf = keyOf;
        _maxAge = maxAge;
    }

    private bool Fresh => _maxAge is not { } age || System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _loadedAt)) < age;

    /// <summary>The entities by key, loading them first when needed.</summary>
    public async ValueTask<ConcurrentDictionary<string, Versioned<T>>> GetAsync(CancellationToken cancellationToken)
    {
        if (_cache is { } c && Fresh)
        {
            return c;
        }

        await _loadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cache is { } c2 && Fresh)
            {
                return c2;
            }

            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var loaded = new ConcurrentDictionary<string, Versioned<T>>(StringComparer.Ordinal);
            await foreach (var e in _store.ListAsync(null, cancellationToken).ConfigureAwait(false))
            {
                loaded[_keyOf(e.Value)] = e;
            }

            _cache = loaded;
            Interlocked.Exchange(ref _loadedAt, started);
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
