using Archive.Testing.Search;

namespace Archive.Search.Lucene.Tests;

/// <summary>The shared search conformance suite against the embedded Lucene index (one fresh folder per test).</summary>
public sealed class LuceneSearchIndexConformanceTests : SearchIndexConformanceTests
{
    private readonly List<TempFolder> _folders = [];

    protected override Task<ISearchIndex> CreateIndexAsync(CancellationToken cancellationToken)
    {
        var folder = new TempFolder();
        _folders.Add(folder);
        return Task.FromResult<ISearchIndex>(new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path }));
    }

    protected override async ValueTask DisposeIndexAsync(ISearchIndex index)
    {
        await base.DisposeIndexAsync(index);
        foreach (var f in _folders)
        {
            f.Dispose();
        }
    }
}
