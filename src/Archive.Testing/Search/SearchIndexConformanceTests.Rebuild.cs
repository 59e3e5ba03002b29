using Archive.Search;
using Xunit;

namespace Archive.Testing.Search;

public abstract partial class SearchIndexConformanceTests
{
    private ISearchIndexRebuilder Rebuilder(ISearchIndex index)
    {
        Assert.SkipUnless(SupportsRebuild, "engine does not rebuild");
        return index.GetService<ISearchIndexRebuilder>() ?? throw new Xunit.Sdk.XunitException("SupportsRebuild is set but the index does not offer ISearchIndexRebuilder through GetService");
    }

    private static SearchDocument Doc(string id, string title) => new() { Id = id, Title = title, AgencyId = "R" };

    /// <summary>Capabilities match the flags of the suite.</summary>
    [Fact]
    public async Task Capabilities_match_the_flags_of_the_suite()
    {
        var index = await NewIndexAsync();
        Assert.Equal(SupportsHighlights, index.Capabilities.HasFlag(SearchCapabilities.Highlights));
        Assert.Equal(SupportsFacets, index.Capabilities.HasFlag(SearchCapabilities.Facets));
        Assert.Equal(SupportsRebuild, index.GetService<ISearchIndexRebuilder>() is not null);
        Assert.False(string.IsNullOrWhiteSpace(index.SystemName));
    }

    /// <summary>Rebuild replaces the index atomically and the live one serves meanwhile.</summary>
    [Fact]
    public async Task GetService_answers_the_index_itself_for_its_own_types_and_null_otherwise()
    {
        var index = await NewIndexAsync();
        Assert.Same(index, index.GetService(index.GetType()));
        Assert.Same(index, index.GetService<ISearchIndex>());
        Assert.Null(index.GetService<IUnknownCapability>());
        Assert.Null(index.GetService(typeof(ISearchIndex), serviceKey: "unknown-key"));
        Assert.Throws<ArgumentNullException>(() => index.GetService(null!));
    }

    /// <summary>GetService is forwarded by a decorator.</summary>
    [Fact]
    public async Task GetService_is_forwarded_by_a_decorator()
    {
        var index = await NewIndexAsync();
        var decorated = new PassThroughIndex(index);
        Assert.Same(decorated, decorated.GetService<ISearchIndex>());
        Assert.Same(index, decorated.GetService(index.GetType()));
        Assert.Same(index.GetService<ISearchIndexRebuilder>(), decorated.GetService<ISearchIndexRebuilder>());
        Assert.Null(decorated.GetService<IUnknownCapability>());
        Assert.Equal(index.Capabilities, decorated.Capabilities);
        Assert.Equal(index.SystemName, decorated.SystemName);
    }

    /// <summary>A capability no index offers.</summary>
    private interface IUnknownCapability;

    private sealed class PassThroughIndex(ISearchIndex inner) : DelegatingSearchIndex(inner);

    /// <summary>Rebuild replaces the index atomically and the live one serves meanwhile.</summary>
    [Fact]
    public async Task Rebuild_replaces_the_index_atomically_and_the_live_one_serves_meanwhile()
    {
        var index = await NewIndexAsync();
        var rebuilder = Rebuilder(index);
        await index.IndexAsync([Doc("old-1", "Hồ sơ cũ một"), Doc("old-2", "Hồ sơ cũ hai")], Ct);
        await WaitForDataAsync(index, Ct);

        await using (var rebuild = await rebuilder.OpenRebuildAsync("full-1", Ct))
        {
            Assert.Equal("full-1", rebuild.RebuildId);
            Assert.Equal(0, rebuild.DocumentCount);
            await rebuild.IndexAsync([Doc("new-1", "Hồ sơ mới một"), Doc("new-2", "Hồ sơ mới hai"), Doc("new-3", "Hồ sơ mới ba")], Ct);
            Assert.Equal(3, rebuild.DocumentCount);

            // The live index is untouched and keeps answering.
            var during = await index.SearchAsync(new SearchRequest { Query = "hồ sơ", Consistency = SearchConsistency.ReadYourWrites }, Ct);
            Assert.Equal(["old-1", "old-2"], Ids(during).Order(StringComparer.Ordinal));

            // Searches keep succeeding while the switch happens.
            using var stop = new CancellationTokenSource();
            var observed = new List<long>();
            var searcher = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var r = await index.SearchAsync(new SearchRequest { Query = "hồ sơ" }, Ct);
                    lock (observed)
                    {
                        observed.Add(r.Total);
                    }
                }
            }, Ct);

            await rebuild.CommitAsync(Ct);
            await Task.Delay(50, Ct);
            await stop.CancelAsync();
            await searcher;
            Assert.NotEmpty(observed);
            Assert.All(observed, t => Assert.True(t is 2 or 3, $"a search saw {t} hits: neither the old nor the new index"));
        }

        await WaitForDataAsync(index, Ct);
        var after = await index.SearchAsync(new SearchRequest { Query = "hồ sơ", Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(["new-1", "new-2", "new-3"], Ids(after).Order(StringComparer.Ordinal));

        // The rebuilt index is the live one for writes too.
        await index.IndexAsync([Doc("new-4", "Hồ sơ mới bốn")], Ct);
        await WaitForDataAsync(index, Ct);
        Assert.Equal(4, (await index.SearchAsync(new SearchRequest { Query = "hồ sơ", Consistency = SearchConsistency.ReadYourWrites }, Ct)).Total);
    }

    /// <summary>Unfinished rebuild resumes with what it holds.</summary>
    [Fact]
    public async Task Unfinished_rebuild_resumes_with_what_it_holds()
    {
        var index = await NewIndexAsync();
        var rebuilder = Rebuilder(index);
        await index.IndexAsync([Doc("old-1", "Văn bản cũ")], Ct);

        var first = await rebuilder.OpenRebuildAsync("resume-me", Ct);
        await first.IndexAsync([Doc("a", "Văn bản A"), Doc("b", "Văn bản B")], Ct);
        await first.DisposeAsync(); // neither committed nor discarded: resumable

        await using var resumed = await rebuilder.OpenRebuildAsync("resume-me", Ct);
        Assert.Equal(2, resumed.DocumentCount);
        await resumed.IndexAsync([Doc("b", "Văn bản B sửa"), Doc("c", "Văn bản C")], Ct);
        Assert.Equal(3, resumed.DocumentCount);
        await resumed.CommitAsync(Ct);

        await WaitForDataAsync(index, Ct);
        var results = await index.SearchAsync(new SearchRequest { Query = "văn bản", Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(["a", "b", "c"], Ids(results).Order(StringComparer.Ordinal));

        // Another id starts empty.
        await using var other = await rebuilder.OpenRebuildAsync("another", Ct);
        Assert.Equal(0, other.DocumentCount);
        await other.DiscardAsync(Ct);
    }

    /// <summary>Discarded rebuild leaves the live index untouched and is not resumed.</summary>
    [Fact]
    public async Task Discarded_rebuild_leaves_the_live_index_untouched_and_is_not_resumed()
    {
        var index = await NewIndexAsync();
        var rebuilder = Rebuilder(index);
        await index.IndexAsync([Doc("live-1", "Công văn đang dùng")], Ct);

        await using (var rebuild = await rebuilder.OpenRebuildAsync("throw-away", Ct))
        {
            await rebuild.IndexAsync([Doc("x", "Công văn bỏ đi")], Ct);
            await rebuild.DiscardAsync(Ct);
            await Assert.ThrowsAsync<InvalidOperationException>(() => rebuild.CommitAsync(Ct).AsTask());
        }

        await WaitForDataAsync(index, Ct);
        var results = await index.SearchAsync(new SearchRequest { Query = "công văn", Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(["live-1"], Ids(results));

        await using var again = await rebuilder.OpenRebuildAsync("throw-away", Ct);
        Assert.Equal(0, again.DocumentCount);
    }
}
