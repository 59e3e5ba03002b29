using Archive.Search.Lucene.Internal;

namespace Archive.Search.Lucene;

/// <summary>A rebuild of a <see cref="LuceneSearchIndex"/> in its own generation folder.</summary>
internal sealed class LuceneIndexRebuild(LuceneSearchIndex owner, string rebuildId, IndexGeneration generation) : ISearchIndexRebuild
{
    private int _state; // 0 open, 1 committed, 2 discarded, 3 closed

    public string RebuildId { get; } = rebuildId;

    internal IndexGeneration Generation { get; } = generation;

    public long DocumentCount
    {
        get
        {
            EnsureOpen();
            return Generation.DocumentCount;
        }
    }

    public ValueTask IndexAsync(IReadOnlyCollection<SearchDocument> documents, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        var docs = owner.Prepare(documents);
        cancellationToken.ThrowIfCancellationRequested();
        if (docs.Count > 0)
        {
            owner.WriteRebuild(Generation, docs);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        await owner.CommitRebuildAsync(this, cancellationToken).ConfigureAwait(false);
        _state = 1;
    }

    public ValueTask DiscardAsync(CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        _state = 2;
        owner.DiscardRebuild(this);
        return ValueTask.CompletedTask;
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

    private void EnsureOpen()
    {
        if (_state != 0)
        {
            throw new InvalidOperationException($"Rebuild '{RebuildId}' is {(_state == 1 ? "committed" : _state == 2 ? "discarded" : "closed")}.");
        }
    }
}
