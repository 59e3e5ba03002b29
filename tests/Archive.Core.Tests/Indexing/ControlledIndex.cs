using Archive.Search;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Archive.Core.Tests.Indexing;

/// <summary>
/// A real Lucene index whose writes can be held, counted, interleaved with other work and made to fail, and which can
/// hide its rebuild capability: the one test double of a misbehaving index (projection, reindex, import, destruction).
/// </summary>
internal sealed class ControlledIndex(ISearchIndex inner) : DelegatingSearchIndex(inner)
{
    private TaskCompletionSource _gate = Open();
    private int _calls;
    private int _waiting;
    private int _deletes;

    /// <summary>Index updates (from call <see cref="FailFromCall"/> on) throw, as an index that is down.</summary>
    public volatile bool Fail;

    /// <summary>Hides <see cref="ISearchIndexRebuilder"/>, so a reindex upserts into the live index.</summary>
    public volatile bool HideRebuilder;

    /// <summary>The first index update <see cref="Fail"/> applies to.</summary>
    public int FailFromCall { get; set; } = 1;

    /// <summary>Runs with the call's number once a held update goes on, before it fails or reaches the index (e.g. to slip in a concurrent change).</summary>
    public Func<int, Task>? BeforeCall { get; set; }

    /// <summary>Index updates so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Index updates being held now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Deletions that reached the index.</summary>
    public int Deletes => Volatile.Read(ref _deletes);

    /// <summary>The documents of every index update, in order.</summary>
    public List<List<SearchDocument>> Batches { get; } = [];

    /// <summary>Replaces the search index with the real Lucene index behind a <see cref="ControlledIndex"/>.</summary>
    public static void Use(IServiceCollection services)
    {
        services.AddSingleton(sp => new Archive.Search.Lucene.LuceneSearchIndex(new Archive.Search.Lucene.LuceneSearchOptions
        {
            IndexPath = Path.Combine(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Archive.Hosting.ArchiveOptions>>().Value.DataPath, "index"),
        }));
        services.AddSingleton(sp => new ControlledIndex(sp.GetRequiredService<Archive.Search.Lucene.LuceneSearchIndex>()));
        services.Replace(ServiceDescriptor.Singleton<ISearchIndex>(sp => sp.GetRequiredService<ControlledIndex>()));
    }

    /// <summary>Holds every index update from now on until <see cref="Release"/>.</summary>
    public void Block() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets the held updates (and later ones) go on.</summary>
    public void Release() => _gate.TrySetResult();

    public override object? GetService(Type serviceType, object? serviceKey = null)
        => HideRebuilder && serviceType == typeof(ISearchIndexRebuilder) ? null : base.GetService(serviceType, serviceKey);

    public override async ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _calls);
        lock (Batches)
        {
            Batches.Add([.. documents]);
        }

        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        if (BeforeCall is { } before)
        {
            await before(call);
        }

        if (Fail && call >= FailFromCall)
        {
            throw new ArchiveSearchException("controlled", "test", "index", "simulated outage");
        }

        cancellationToken.ThrowIfCancellationRequested(); // as a remote index (Elasticsearch) would
        await InnerIndex.IndexAsync(documents, cancellationToken);
    }

    public override ValueTask DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _deletes);
        return base.DeleteAsync(ids, cancellationToken);
    }

    public override ValueTask DeleteAsync(IReadOnlyCollection<string> ids, long version, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _deletes);
        return base.DeleteAsync(ids, version, cancellationToken);
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
