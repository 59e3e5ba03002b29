namespace Archive.Search.Elastic;

/// <summary>
/// A rebuild of an <see cref="ElasticsearchSearchIndex"/> into its own index behind the rebuild's write alias
/// (<c>ALIAS-rebuild-SLUG-HASH</c>, derived from the rebuild id so that reopening the id finds it).
/// </summary>
internal sealed class ElasticsearchIndexRebuild(ElasticsearchSearchIndex owner, string rebuildId, string index, string writeAlias, long count) : ISearchIndexRebuild
{
    private readonly CancellationTokenSource _renewal = new();
    private long _count = count;
    private int _state; // 0 open, 1 committed, 2 discarded, 3 closed

    public string RebuildId { get; } = rebuildId;

    /// <summary>The concrete index being built.</summary>
    public string Index { get; } = index;

    /// <summary>The alias the rebuild writes through (removed when committed).</summary>
    public string WriteAlias { get; } = writeAlias;

    public long DocumentCount
    {
        get
        {
            EnsureOpen();
            return Interlocked.Read(ref _count);
        }
    }

    public async ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await owner.WriteRebuildAsync(this, documents, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await owner.CommitRebuildAsync(this, cancellationToken).ConfigureAwait(false);
        _state = 1;
    }

    public async ValueTask DiscardAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        _state = 2;
        await owner.DiscardRebuildAsync(this, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        if (_state == 0)
        {
            _state = 3;
            owner.CloseRebuild(this);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Keeps <see cref="DocumentCount"/> exact from the bulk results: a new id adds one, a deleted one removes one.</summary>
    internal void Counted(string? result)
    {
        switch (result)
        {
            case "created":
                Interlocked.Increment(ref _count);
                break;
            case "deleted":
                Interlocked.Decrement(ref _count);
                break;
        }
    }

    /// <summary>Renews the lease every <paramref name="every"/> until the rebuild is committed, discarded or closed.</summary>
    internal void StartLeaseRenewal(TimeSpan every, Microsoft.Extensions.Logging.ILogger logger)
    {
        var token = _renewal.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                using var timer = new PeriodicTimer(every, owner.Time);
                while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
                {
                    try
                    {
                        await owner.RenewLeaseAsync(this, token).ConfigureAwait(false);
                    }
                    catch (ArchiveSearchException e)
                    {
                        Internal.Log.RebuildLeaseRenewFailed(logger, RebuildId, Index, e);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    internal void StopLeaseRenewal()
    {
        if (!_renewal.IsCancellationRequested)
        {
            _renewal.Cancel();
        }
    }

    private void EnsureOpen()
    {
        if (_state != 0)
        {
            throw new InvalidOperationException($"Rebuild '{RebuildId}' is {(_state == 1 ? "committed" : _state == 2 ? "discarded" : "closed")}.");
        }
    }
}
