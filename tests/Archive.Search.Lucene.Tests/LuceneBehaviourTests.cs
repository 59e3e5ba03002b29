using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Search.Lucene.Tests;

public sealed class LuceneBehaviourTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LuceneSearchIndex Open(TempFolder folder, Action<LuceneSearchOptions>? configure = null)
    {
        var options = new LuceneSearchOptions { IndexPath = folder.Path };
        configure?.Invoke(options);
        return new LuceneSearchIndex(options);
    }

    [Fact]
    public async Task Readers_and_a_writer_run_concurrently_and_every_acknowledged_write_is_seen()
    {
        using var folder = new TempFolder();
        using var index = Open(folder, o => o.RefreshInterval = TimeSpan.FromMilliseconds(20));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var acknowledged = 0;
        var errors = new ConcurrentQueue<Exception>();

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            try
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 150; i++)
                {
                    var id = $"w{w}-{i:D4}";
                    await index.IndexAsync([new SearchDocument { Id = id, Title = "Công văn đồng thời số " + i, Date = new DateOnly(2020, 1, 1).AddDays(i) }], Ct);
                    Interlocked.Increment(ref acknowledged);
                    if (i % 10 == 0)
                    {
                        var seen = await index.SearchAsync(new SearchRequest { Query = "\"đồng thời\"", Filters = [new TermsFilter(SearchFields.Year, [(2020 + (i / 366)).ToString(CultureInfo.InvariantCulture)])], PageSize = 1000, Consistency = SearchConsistency.ReadYourWrites }, Ct);
                        Assert.Contains(id, seen.Hits.Select(h => h.Document.Id));
                    }
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        }, Ct)).ToList();

        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            long last = 0;
            try
            {
                while (!stop.IsCancellationRequested && writers.Any(w => !w.IsCompleted))
                {
                    var before = Volatile.Read(ref acknowledged);
                    var r = await index.SearchAsync(new SearchRequest { Query = "cong van", Facets = [SearchFields.Year], Highlight = true, PageSize = 5, Consistency = SearchConsistency.ReadYourWrites }, Ct);
                    Assert.True(r.Total >= before, $"read-your-writes search saw {r.Total} < {before} acknowledged");
                    Assert.True(r.Total >= last, "a later search saw fewer documents");
                    last = r.Total;
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(e);
            }
        }, Ct)).ToList();

        await Task.WhenAll(writers.Concat(readers));
        Assert.Empty(errors);
        await index.RefreshAsync(Ct);
        Assert.Equal(acknowledged, (await index.SearchAsync(new SearchRequest { Query = "công văn" }, Ct)).Total);
    }

    [Fact]
    public async Task Eventual_searches_see_writes_after_the_background_refresh()
    {
        using var folder = new TempFolder();
        using var index = Open(folder, o => o.RefreshInterval = TimeSpan.FromMilliseconds(50));
        await index.IndexAsync([new SearchDocument { Id = "e1", Title = "Tờ trình" }], Ct);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await index.SearchAsync(new SearchRequest { Query = "tờ trình" }, Ct)).Total == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "background refresh never made the write visible");
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task Cursor_pages_keep_the_point_in_time_of_the_first_page()
    {
        using var folder = new TempFolder();
        using var index = Open(folder);
        await index.IndexAsync(Enumerable.Range(0, 30).Select(i => new SearchDocument { Id = $"b{i:D2}", Title = "Quyết định", Date = new DateOnly(2020, 1, 1).AddDays(i) }).ToList(), Ct);
        var request = new SearchRequest { Sort = SearchSort.DateAscending, PageSize = 10, Consistency = SearchConsistency.ReadYourWrites };
        var first = await index.SearchAsync(request, Ct);

        // Documents that would sort first, and a deletion, after the first page.
        await index.IndexAsync([new SearchDocument { Id = "a-new", Title = "Quyết định", Date = new DateOnly(1999, 1, 1) }], Ct);
        await index.DeleteAsync(["b15"], Ct);
        await index.RefreshAsync(Ct);

        var ids = first.Hits.Select(h => h.Document.Id).ToList();
        var cursor = first.NextCursor;
        while (cursor is not null)
        {
            var page = await index.SearchAsync(request with { Cursor = cursor }, Ct);
            Assert.Equal(30, page.Total);
            ids.AddRange(page.Hits.Select(h => h.Document.Id));
            cursor = page.NextCursor;
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"b{i:D2}"), ids);
        Assert.Equal(30, (await index.SearchAsync(request, Ct)).Total); // a new search sees the new state: 30 + 1 - 1
        Assert.Equal("a-new", (await index.SearchAsync(request, Ct)).Hits[0].Document.Id);
    }

    [Fact]
    public async Task Cursor_paging_continues_after_the_kept_searcher_expired()
    {
        using var folder = new TempFolder();
        using var index = Open(folder, o =>
        {
            o.CursorLifetime = TimeSpan.FromSeconds(1);
            o.RefreshInterval = TimeSpan.FromMilliseconds(50);
        });
        await index.IndexAsync(Enumerable.Range(0, 20).Select(i => new SearchDocument { Id = $"c{i:D2}", Title = "Thông báo" }).ToList(), Ct);
        var request = new SearchRequest { Query = "thông báo", PageSize = 8, Consistency = SearchConsistency.ReadYourWrites };
        var first = await index.SearchAsync(request, Ct);
        await index.IndexAsync([new SearchDocument { Id = "zz", Title = "Khác" }], Ct); // a new searcher generation
        await Task.Delay(2500, Ct); // the first page's searcher is pruned
        var ids = first.Hits.Select(h => h.Document.Id).ToList();
        for (var cursor = first.NextCursor; cursor is not null;)
        {
            var page = await index.SearchAsync(request with { Cursor = cursor }, Ct);
            ids.AddRange(page.Hits.Select(h => h.Document.Id));
            cursor = page.NextCursor;
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"c{i:D2}"), ids);
    }

    [Fact]
    public async Task Paging_goes_past_ten_thousand_hits()
    {
        using var folder = new TempFolder();
        using var index = Open(folder, o => o.Ranking.IndexBigrams = false);
        const int count = 10_500;
        for (var start = 0; start < count; start += 3500)
        {
            await index.IndexAsync(Enumerable.Range(start, Math.Min(3500, count - start)).Select(i => new SearchDocument { Id = i.ToString("D6", CultureInfo.InvariantCulture), Title = "Phiếu" }).ToList(), Ct);
        }

        var seen = 0;
        string? previous = null;
        var request = new SearchRequest { Query = "phiếu", PageSize = SearchRequest.MaxPageSize, Consistency = SearchConsistency.ReadYourWrites };
        for (var cursor = (string?)null; ;)
        {
            var page = await index.SearchAsync(request with { Cursor = cursor }, Ct);
            Assert.Equal(count, page.Total);
            foreach (var hit in page.Hits)
            {
                Assert.True(previous is null || string.CompareOrdinal(previous, hit.Document.Id) < 0, "equal scores are ordered by id");
                previous = hit.Document.Id;
                seen++;
            }

            cursor = page.NextCursor;
            if (cursor is null)
            {
                break;
            }
        }

        Assert.Equal(count, seen);
    }

    [Fact]
    public async Task Writes_during_a_rebuild_reach_the_rebuilt_index()
    {
        using var folder = new TempFolder();
        using var index = Open(folder);
        await index.IndexAsync([new SearchDocument { Id = "x1", Title = "Hồ sơ một" }], Ct);
        await using var rebuild = await index.OpenRebuildAsync("mirror", Ct);
        await rebuild.IndexAsync([new SearchDocument { Id = "x1", Title = "Hồ sơ một" }], Ct);

        // Live writes while the rebuild is fed from storage.
        await index.IndexAsync([new SearchDocument { Id = "x2", Title = "Hồ sơ hai, ghi trong lúc dựng lại" }], Ct);
        await index.DeleteAsync(["x1"], Ct);
        await rebuild.CommitAsync(Ct);

        var results = await index.SearchAsync(new SearchRequest { Query = "hồ sơ", Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(["x2"], results.Hits.Select(h => h.Document.Id));
    }

    [Fact]
    public async Task Rebuild_survives_a_restart_and_the_old_generation_is_dropped_on_commit()
    {
        using var folder = new TempFolder();
        string oldGeneration;
        using (var index = Open(folder))
        {
            oldGeneration = index.LiveGeneration;
            await index.IndexAsync([new SearchDocument { Id = "old", Title = "Cũ" }], Ct);
            var rebuild = await index.OpenRebuildAsync("after-restart", Ct);
            await rebuild.IndexAsync([new SearchDocument { Id = "n1", Title = "Mới" }], Ct);
            // process "stops" here: the rebuild is neither committed nor discarded
        }

        using (var index = Open(folder))
        {
            Assert.Equal(oldGeneration, index.LiveGeneration);
            Assert.Equal(1, (await index.SearchAsync(new SearchRequest { Query = "cu" }, Ct)).Total);
            await using var resumed = await index.OpenRebuildAsync("after-restart", Ct);
            Assert.Equal(1, resumed.DocumentCount);
            await resumed.IndexAsync([new SearchDocument { Id = "n2", Title = "Mới" }], Ct);
            await resumed.CommitAsync(Ct);
            Assert.NotEqual(oldGeneration, index.LiveGeneration);
            Assert.Equal(2, (await index.SearchAsync(new SearchRequest { Query = "moi", Consistency = SearchConsistency.ReadYourWrites }, Ct)).Total);
        }

        Assert.False(Directory.Exists(Path.Combine(folder.Path, oldGeneration)), "the replaced generation is deleted");
        using (var index = Open(folder))
        {
            Assert.Equal(2, (await index.SearchAsync(new SearchRequest { Query = "moi" }, Ct)).Total);
            Assert.Equal(0, (await index.SearchAsync(new SearchRequest { Query = "cu" }, Ct)).Total);
        }
    }

    [Fact]
    public async Task A_committed_rebuild_holds_no_replaced_documents_even_when_it_was_resumed()
    {
        // Lucene counts replaced documents in document frequencies and field lengths until their segment is merged, so
        // a resumed rebuild (which writes again what it wrote before the interruption) would rank differently from one
        // written once; the commit merges them away.
        using var folder = new TempFolder();
        var docs = Enumerable.Range(1, 20).Select(i => new SearchDocument { Id = "r" + i, Title = "Hồ sơ tổ chức " + i }).ToList();
        string generation;
        using (var index = Open(folder))
        {
            await using var first = await index.OpenRebuildAsync("resumed", Ct);
            await first.IndexAsync(docs.Take(15).ToList(), Ct);
        }

        using (var index = Open(folder))
        {
            await using var resumed = await index.OpenRebuildAsync("resumed", Ct);
            await resumed.IndexAsync(docs.Skip(5).ToList(), Ct); // replaces 10 of the 15 written before
            await resumed.CommitAsync(Ct);
            generation = index.LiveGeneration;
            Assert.Equal(20, (await index.SearchAsync(new SearchRequest { Query = "to chuc", Consistency = SearchConsistency.ReadYourWrites }, Ct)).Total);
        }

        using var directory = global::Lucene.Net.Store.FSDirectory.Open(Path.Combine(folder.Path, generation));
        using var reader = global::Lucene.Net.Index.DirectoryReader.Open(directory);
        Assert.Equal(20, reader.NumDocs);
        Assert.Equal(20, reader.MaxDoc);
    }

    [Fact]
    public async Task Start_up_removes_unreferenced_generations_but_keeps_unfinished_rebuilds()
    {
        using var folder = new TempFolder();
        string live;
        using (var index = Open(folder))
        {
            live = index.LiveGeneration;
            await using var r = await index.OpenRebuildAsync("keep-me", Ct);
            await r.IndexAsync([new SearchDocument { Id = "k", Title = "Giữ" }], Ct);
        }

        // A generation left behind by a crash after a switch (no marker, not live).
        DurabilityTests.CopyTree(Path.Combine(folder.Path, live), Path.Combine(folder.Path, "g000900"));
        using (var index = Open(folder))
        {
            Assert.Equal(live, index.LiveGeneration);
            Assert.False(Directory.Exists(Path.Combine(folder.Path, "g000900")));
            await using var r = await index.OpenRebuildAsync("keep-me", Ct);
            Assert.Equal(1, r.DocumentCount);
        }
    }

    [Fact]
    public async Task Opening_the_same_rebuild_twice_is_refused()
    {
        using var folder = new TempFolder();
        using var index = Open(folder);
        await using var r = await index.OpenRebuildAsync("once", Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => index.OpenRebuildAsync("once", Ct).AsTask());
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.OpenRebuildAsync(" ", Ct).AsTask());
        Assert.Equal("rebuildId", e.Errors[0].Field);
    }

    [Fact]
    public async Task Exact_accent_ranks_first_for_multi_word_queries_and_unaccented_queries_rank_by_folded_match()
    {
        using var folder = new TempFolder();
        using var index = Open(folder);
        await index.IndexAsync(
        [
            new SearchDocument { Id = "ma-tuy", Title = "Phòng chống ma túy" },
            new SearchDocument { Id = "tuy-nhien", Title = "Tuy nhiên ma" },
        ], Ct);
        var accented = await index.SearchAsync(new SearchRequest { Query = "ma túy", Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal("ma-tuy", accented.Hits[0].Document.Id);
        var plain = await index.SearchAsync(new SearchRequest { Query = "ma tuy" }, Ct);
        Assert.Equal(2, plain.Total);
    }

    [Fact]
    public async Task Excluding_an_accented_word_is_exact_and_an_unaccented_one_is_folded()
    {
        using var folder = new TempFolder();
        using var index = Open(folder);
        await index.IndexAsync(
        [
            new SearchDocument { Id = "mat", Title = "Tài liệu mật" },
            new SearchDocument { Id = "mat2", Title = "Tài liệu mất" },
        ], Ct);
        var exact = await index.SearchAsync(new SearchRequest { Query = "tài liệu -mật", Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(["mat2"], exact.Hits.Select(h => h.Document.Id));
        var folded = await index.SearchAsync(new SearchRequest { Query = "tài liệu -mat" }, Ct);
        Assert.Empty(folded.Hits);
    }

    [Fact]
    public async Task Backend_failure_is_reported_as_archive_search_exception()
    {
        using var folder = new TempFolder();
        using var index = Open(folder);
        await index.IndexAsync([new SearchDocument { Id = "a", Title = "x" }], Ct);
        // Break the storage under the writer: the next commit cannot write its files.
        var gen = Path.Combine(folder.Path, index.LiveGeneration);
        foreach (var f in Directory.GetFiles(gen))
        {
            File.Delete(f);
        }

        Directory.Delete(gen);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => index.IndexAsync([new SearchDocument { Id = "b", Title = "y" }], Ct).AsTask());
        Assert.Equal("lucene", e.System);
        Assert.Equal("index", e.Operation);
    }

    [Fact]
    public async Task Very_long_queries_are_served_and_too_many_phrases_are_rejected()
    {
        using var folder = new TempFolder();
        using var index = Open(folder);
        await index.IndexAsync([new SearchDocument { Id = "w", Title = "từ 17 và từ 900" }], Ct);
        var words = string.Join(" ", Enumerable.Range(0, 1000).Select(i => "từ" + i.ToString(CultureInfo.InvariantCulture) + " từ " + i.ToString(CultureInfo.InvariantCulture)));
        var results = await index.SearchAsync(new SearchRequest { Query = words[..4000], Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(1, results.Total);

        var phrases = string.Join(" ", Enumerable.Range(0, 201).Select(i => "-x" + i.ToString(CultureInfo.InvariantCulture)));
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.SearchAsync(new SearchRequest { Query = phrases }, Ct).AsTask());
        Assert.Equal("query", e.Errors[0].Field);

        var tooLong = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.SearchAsync(new SearchRequest { Query = new string('a', 5000) }, Ct).AsTask());
        Assert.Equal("search.query.too-long", tooLong.Errors[0].Rule);
    }

    [Fact]
    public async Task Common_terms_only_add_to_documents_that_match_a_rarer_term()
    {
        using var folder = new TempFolder();
        using var index = Open(folder);
        var docs = Enumerable.Range(0, 30).Select(i => new SearchDocument { Id = $"c{i:D2}", Title = "Văn bản hành chính số " + i }).ToList();
        docs.Add(new SearchDocument { Id = "urgent", Title = "Văn bản khẩn" });
        docs.Add(new SearchDocument { Id = "other", Title = "Thư mời họp" });
        await index.IndexAsync(docs, Ct);

        // "văn", "bản" are in 31 of 32 documents (common), "khẩn" in one: only documents with "khẩn" match.
        var gated = await index.SearchAsync(new SearchRequest { Query = "văn bản khẩn", Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(["urgent"], gated.Hits.Select(h => h.Document.Id));

        // Only common terms: a plain OR.
        Assert.Equal(31, (await index.SearchAsync(new SearchRequest { Query = "văn bản" }, Ct)).Total);

        // With a phrase the free words stay optional and nothing is gated.
        Assert.Equal(31, (await index.SearchAsync(new SearchRequest { Query = "\"văn bản\" khẩn" }, Ct)).Total);

        // Turned off: every document with any of the words.
        using var folder2 = new TempFolder();
        using var plain = Open(folder2, o => o.Ranking.CommonTermRatio = 1);
        await plain.IndexAsync(docs, Ct);
        var all = await plain.SearchAsync(new SearchRequest { Query = "văn bản khẩn", Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(31, all.Total);
        Assert.Equal("urgent", all.Hits[0].Document.Id);
    }

    [Fact]
    public void Options_are_validated()
    {
        var v = new LuceneSearchOptionsValidator();
        Assert.True(v.Validate(null, new LuceneSearchOptions { IndexPath = "/tmp/x" }).Succeeded);
        var bad = v.Validate(null, new LuceneSearchOptions { IndexPath = "", RamBufferSizeMb = 0, RefreshInterval = TimeSpan.Zero, Ranking = new LuceneRankingOptions { B = 2 } });
        Assert.True(bad.Failed);
        Assert.Contains(bad.Failures!, f => f.Contains("IndexPath", StringComparison.Ordinal));
        Assert.Contains(bad.Failures!, f => f.Contains("RamBufferSizeMb", StringComparison.Ordinal));
        Assert.Contains(bad.Failures!, f => f.Contains("RefreshInterval", StringComparison.Ordinal));
        Assert.Contains(bad.Failures!, f => f.Contains("Ranking.B", StringComparison.Ordinal));
        Assert.Throws<OptionsValidationException>(() => new LuceneSearchIndex(new LuceneSearchOptions()));
    }

    [Fact]
    public async Task AddLuceneSearch_registers_one_index_for_both_interfaces_and_validates_on_start()
    {
        using var folder = new TempFolder();
        var services = new ServiceCollection();
        new TestBuilder(services).AddLuceneSearch(o => o.IndexPath = folder.Path);
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            var index = provider.GetRequiredService<ISearchIndex>();
            Assert.IsType<LuceneSearchIndex>(index);
            Assert.Same(index, index.GetService<ISearchIndexRebuilder>()); // a capability of the index, not a separate registration
            Assert.Null(provider.GetService<ISearchIndexRebuilder>());
            await index.IndexAsync([new SearchDocument { Id = "di", Title = "Đăng ký" }], Ct);
        }

        var invalid = new ServiceCollection();
        new TestBuilder(invalid).AddLuceneSearch(o => o.IndexPath = "");
        await using var bad = invalid.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("IndexPath", e.Message, StringComparison.Ordinal);
    }

    private sealed class TestBuilder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
