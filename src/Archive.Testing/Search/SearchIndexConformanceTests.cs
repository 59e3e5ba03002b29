using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Archive.Search;
using Xunit;

namespace Archive.Testing.Search;

/// <summary>
/// The behaviour every <see cref="ISearchIndex"/> must show. A provider's test project subclasses this class, returns
/// a fresh empty index from <see cref="CreateIndexAsync"/>, and says what it supports through the capability flags.
/// Engines whose writes become visible later override <see cref="WaitForDataAsync"/>.
/// </summary>
public abstract partial class SearchIndexConformanceTests : IAsyncLifetime
{
    /// <summary>Rule ids every engine reports for rejected requests.</summary>
    public static class Rules
    {
        /// <summary>Page size out of range.</summary>
        public const string PageSize = "search.page-size.range";
        /// <summary>A filter on an unknown field.</summary>
        public const string FilterField = "search.filter.field-unknown";
        /// <summary>A facet on an unknown field.</summary>
        public const string FacetField = "search.facet.field-unknown";
        /// <summary>A cursor that cannot be decoded.</summary>
        public const string CursorMalformed = "search.cursor.malformed";
        /// <summary>A cursor used with another query or sort.</summary>
        public const string CursorMismatch = "search.cursor.mismatch";
        /// <summary>A document without an id.</summary>
        public const string DocumentId = "search.document.id-required";
        /// <summary>A filter value that is not valid for its field.</summary>
        public const string FilterValue = "search.filter.value-invalid";
    }

    private readonly List<ISearchIndex> _created = [];

    /// <summary>A fresh, empty index (the suite disposes it at the end of the test).</summary>
    protected abstract Task<ISearchIndex> CreateIndexAsync(CancellationToken cancellationToken);

    /// <summary>Whether the engine returns highlighted snippets.</summary>
    protected virtual bool SupportsHighlights => true;

    /// <summary>Whether the engine computes facet counts.</summary>
    protected virtual bool SupportsFacets => true;

    /// <summary>Whether the engine offers <see cref="ISearchIndexRebuilder"/> (through <see cref="ISearchIndex.GetService"/>).</summary>
    protected virtual bool SupportsRebuild => true;

    /// <summary>Waits until acknowledged writes are visible to eventual searches (default: the refresh barrier).</summary>
    protected virtual async Task WaitForDataAsync(ISearchIndex index, CancellationToken cancellationToken)
        => await index.RefreshAsync(cancellationToken);

    /// <summary>Releases an index created by <see cref="CreateIndexAsync"/>.</summary>
    protected virtual async ValueTask DisposeIndexAsync(ISearchIndex index)
    {
        switch (index)
        {
            case IAsyncDisposable a:
                await a.DisposeAsync();
                break;
            case IDisposable d:
                d.Dispose();
                break;
        }
    }

    /// <inheritdoc />
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var index in _created)
        {
            await DisposeIndexAsync(index);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates an empty index (disposed after the test).</summary>
    protected async Task<ISearchIndex> NewIndexAsync()
    {
        var index = await CreateIndexAsync(Ct);
        _created.Add(index);
        return index;
    }

    /// <summary>Creates an index holding <see cref="SearchFixtures.Records"/>, refreshed.</summary>
    protected async Task<ISearchIndex> LoadedIndexAsync()
    {
        var index = await NewIndexAsync();
        await index.IndexAsync(SearchFixtures.Records, Ct);
        await WaitForDataAsync(index, Ct);
        return index;
    }

    /// <summary>Searches <paramref name="index"/> for <paramref name="query"/>, with read-your-writes consistency; <paramref name="tweak"/> changes the request.</summary>
    protected static async Task<SearchResults> SearchAsync(ISearchIndex index, string? query, Func<SearchRequest, SearchRequest>? tweak = null)
    {
        var request = new SearchRequest { Query = query, PageSize = 100 };
        return await index.SearchAsync(tweak is null ? request : tweak(request), Ct);
    }

    /// <summary>The ids of the hits, in order.</summary>
    protected static List<string> Ids(SearchResults results) => results.Hits.Select(h => h.Document.Id).ToList();

    // ---------------------------------------------------------------- Vietnamese matching

    /// <summary>Query without diacritics finds accented text.</summary>
    [Fact]
    public async Task Query_without_diacritics_finds_accented_text()
    {
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, "ho so luu tru");
        Assert.Contains("hs-001", Ids(results));
        Assert.Equal("hs-001", Ids(results)[0]);
    }

    /// <summary>Accented query matches unaccented and exact accent ranks first.</summary>
    [Fact]
    public async Task Accented_query_matches_unaccented_and_exact_accent_ranks_first()
    {
        var index = await LoadedIndexAsync();

        var lake = Ids(await SearchAsync(index, "hồ chứa"));
        Assert.Equal("acc-lake", lake[0]);
        Assert.Contains("acc-name", lake);

        var name = Ids(await SearchAsync(index, "họ chứa"));
        Assert.Equal("acc-name", name[0]);
        Assert.Contains("acc-lake", name);

        var folded = Ids(await SearchAsync(index, "ho chua"));
        Assert.Contains("acc-lake", folded);
        Assert.Contains("acc-name", folded);
    }

    /// <summary>D matches d with stroke in both directions and any case.</summary>
    [Fact]
    public async Task D_matches_d_with_stroke_in_both_directions_and_any_case()
    {
        var index = await LoadedIndexAsync();
        Assert.Contains("vb-004", Ids(await SearchAsync(index, "duong day nong")));
        Assert.Contains("vb-004", Ids(await SearchAsync(index, "ĐƯỜNG DÂY NÓNG")));
        Assert.Contains("html", Ids(await SearchAsync(index, "thon dong")));
    }

    /// <summary>Decomposed query and old tone placement match.</summary>
    [Fact]
    public async Task Decomposed_query_and_old_tone_placement_match()
    {
        var index = await LoadedIndexAsync();

        // "hồ sơ" typed in NFD (base letters + combining marks).
        var nfd = "ho\u0302\u0300 so\u031B";
        Assert.Equal("hs-001", Ids(await SearchAsync(index, nfd))[0]);

        // "hoà" (tone on a) and "hòa" (tone on o) are the same word.
        Assert.Contains("html", Ids(await SearchAsync(index, "hoà giải")));
    }

    /// <summary>Quoted phrase requires adjacent syllables with or without diacritics.</summary>
    [Fact]
    public async Task Quoted_phrase_requires_adjacent_syllables_with_or_without_diacritics()
    {
        var index = await LoadedIndexAsync();

        var accented = Ids(await SearchAsync(index, "\"lưu trữ lịch sử\""));
        Assert.Contains("hs-001", accented);
        Assert.DoesNotContain("scatter", accented);

        var folded = Ids(await SearchAsync(index, "\"luu tru lich su\""));
        Assert.Contains("hs-001", folded);
        Assert.DoesNotContain("scatter", folded);

        // The same words unquoted find both.
        var loose = Ids(await SearchAsync(index, "lưu trữ lịch sử"));
        Assert.Contains("hs-001", loose);
        Assert.Contains("scatter", loose);
    }

    /// <summary>Free text is an or of terms ranked by bm25.</summary>
    [Fact]
    public async Task Free_text_is_an_or_of_terms_ranked_by_bm25()
    {
        var index = await LoadedIndexAsync();

        // A question in natural language: no document has every word, the relevant one still comes first.
        var results = await SearchAsync(index, "đường dây nóng đã tiếp nhận bao nhiêu phản ánh trong năm qua?");
        Assert.Equal("vb-004", Ids(results)[0]);
        Assert.True(results.Hits[0].Score > 0);
        Assert.True(results.Hits.Zip(results.Hits.Skip(1)).All(p => p.First.Score >= p.Second.Score), "relevance order must be non-increasing in score");
    }

    /// <summary>Minus excludes words and phrases.</summary>
    [Fact]
    public async Task Minus_excludes_words_and_phrases()
    {
        var index = await LoadedIndexAsync();
        var all = Ids(await SearchAsync(index, "tài liệu"));
        Assert.Contains("vb-003", all);
        Assert.Contains("vb-002", all);

        var without = Ids(await SearchAsync(index, "tài liệu -tiêu"));
        Assert.DoesNotContain("vb-003", without);
        Assert.Contains("vb-002", without);

        var withoutPhrase = Ids(await SearchAsync(index, "tài liệu -\"chỉnh lý\""));
        Assert.DoesNotContain("vb-002", withoutPhrase);
        Assert.Contains("vb-003", withoutPhrase);

        // Only an exclusion: everything else.
        var onlyExclusion = await SearchAsync(index, "-tiêu");
        Assert.Equal(SearchFixtures.Records.Count - 1, onlyExclusion.Total);
    }

    /// <summary>Empty query matches everything and total is exact.</summary>
    [Fact]
    public async Task Empty_query_matches_everything_and_total_is_exact()
    {
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, null, r => r with { PageSize = 3 });
        Assert.Equal(SearchFixtures.Records.Count, results.Total);
        Assert.Equal(3, results.Hits.Count);
        Assert.NotNull(results.NextCursor);
        Assert.Equal(SearchFixtures.Records.Count, (await SearchAsync(index, "   ")).Total);
    }

    /// <summary>Hits return the indexed document.</summary>
    [Fact]
    public async Task Hits_return_the_indexed_document()
    {
        var index = await LoadedIndexAsync();
        var hit = (await SearchAsync(index, "\"giao nhận\"")).Hits.Single(h => h.Document.Id == "paged");
        var expected = SearchFixtures.Get("paged");
        Assert.Equal(expected.Title, hit.Document.Title);
        Assert.Equal(expected.Pages, hit.Document.Pages);
        Assert.Equal(expected.Date, hit.Document.Date);
        Assert.Equal(expected.AccessLevel, hit.Document.AccessLevel);
        Assert.Equal(expected.Keywords, hit.Document.Keywords);
        Assert.Equal(expected.Tags, hit.Document.Tags);
        Assert.Equal(expected.Kind, hit.Document.Kind);
    }

    // ---------------------------------------------------------------- filters

    /// <summary>Field, value and whether the filter excludes, for <see cref="Terms_filter_matches_exactly"/>.</summary>
    public static TheoryData<string, string, bool> TermsFilterCases => new()
    {
        { SearchFields.Kind, "RecordFile", false },
        { SearchFields.Kind, "Document", true },
        { SearchFields.ParentId, "hs-001", false },
        { SearchFields.Agency, SearchFixtures.HanoiAgency, false },
        { SearchFields.Agency, SearchFixtures.MinistryAgency, true },
        { SearchFields.Fonds, "PHONG-UBND", false },
        { SearchFields.FileCode, "000.00.00.H30.2020.01.TH", false },
        { SearchFields.CodeNumber, "05/UBND-VP", false },
        { SearchFields.DocumentType, "Báo cáo", false },
        { SearchFields.IssuingBody, "Bộ Nội vụ", false },
        { SearchFields.Retention, "permanent", false },
        { SearchFields.Retention, "10y", true },
        { SearchFields.AccessLevel, "Public", false },
        { SearchFields.AccessLevel, "Secret", true },
        { SearchFields.Status, "finished", false },
        { SearchFields.Status, "unfinished", true },
        { SearchFields.Year, "2023", false },
        { SearchFields.Keyword, "lưu trữ", false },
        { "tag.unit", "VP", false },
        { "tag.unit", "TCCB", true },
    };

    /// <summary>Terms filter matches exactly.</summary>
    [Theory]
    [MemberData(nameof(TermsFilterCases))]
    public async Task Terms_filter_matches_exactly(string field, string value, bool exclude)
    {
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, null, r => r with { Filters = [new TermsFilter(field, [value], exclude)] });
        var expected = SearchFixtures.Records.Where(d => ValuesOf(d, field).Contains(value) != exclude).Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Ids(results).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(expected.Count, results.Total);
    }

    /// <summary>Terms filter with several values is an or and filters combine with and.</summary>
    [Fact]
    public async Task Terms_filter_with_several_values_is_an_or_and_filters_combine_with_and()
    {
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, null, r => r with
        {
            Filters =
            [
                new TermsFilter(SearchFields.DocumentType, ["Công văn", "Báo cáo"]),
                new TermsFilter(SearchFields.Agency, [SearchFixtures.HanoiAgency]),
            ],
        });
        Assert.Equal(["acc-lake", "acc-name", "vb-002"], Ids(results).Order(StringComparer.Ordinal));
    }

    /// <summary>Excluding secret records hides them from hits totals and facets.</summary>
    [Fact]
    public async Task Excluding_secret_records_hides_them_from_hits_totals_and_facets()
    {
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, "tài liệu", r => r with
        {
            Filters = [new TermsFilter(SearchFields.AccessLevel, [nameof(AccessLevel.Secret)], Exclude: true)],
            Facets = SupportsFacets ? [SearchFields.AccessLevel, SearchFields.Agency] : [],
        });
        Assert.DoesNotContain(results.Hits, h => h.Document.AccessLevel == AccessLevel.Secret);
        Assert.Equal(results.Hits.Count, results.Total);
        if (SupportsFacets)
        {
            Assert.DoesNotContain(results.Facets[SearchFields.AccessLevel], v => v.Value == nameof(AccessLevel.Secret));
            Assert.Equal(results.Total, results.Facets[SearchFields.AccessLevel].Sum(v => v.Count));
        }
    }

    /// <summary>Empty terms filter matches nothing or everything when excluding.</summary>
    [Fact]
    public async Task Empty_terms_filter_matches_nothing_or_everything_when_excluding()
    {
        var index = await LoadedIndexAsync();
        Assert.Equal(0, (await SearchAsync(index, null, r => r with { Filters = [new TermsFilter(SearchFields.Agency, [])] })).Total);
        Assert.Equal(SearchFixtures.Records.Count, (await SearchAsync(index, null, r => r with { Filters = [new TermsFilter(SearchFields.Agency, [], Exclude: true)] })).Total);
    }

    /// <summary>Year and date ranges are inclusive and open where null.</summary>
    [Fact]
    public async Task Year_and_date_ranges_are_inclusive_and_open_where_null()
    {
        var index = await LoadedIndexAsync();
        async Task Check(SearchFilter filter, Func<DateOnly, bool> expected)
        {
            var ids = Ids(await SearchAsync(index, null, r => r with { Filters = [filter] })).Order(StringComparer.Ordinal).ToList();
            var want = SearchFixtures.Records.Where(d => d.Date is { } date && expected(date)).Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(want, ids);
        }

        await Check(new YearRangeFilter(2020, 2021), d => d.Year is >= 2020 and <= 2021);
        await Check(new YearRangeFilter(2022, null), d => d.Year >= 2022);
        await Check(new YearRangeFilter(null, 2019), d => d.Year <= 2019);
        await Check(new DateRangeFilter(new DateOnly(2020, 3, 15), new DateOnly(2021, 6, 1)), d => d >= new DateOnly(2020, 3, 15) && d <= new DateOnly(2021, 6, 1));
        await Check(new DateRangeFilter(new DateOnly(2024, 2, 29), null), d => d >= new DateOnly(2024, 2, 29));
        await Check(new DateRangeFilter(null, new DateOnly(2019, 12, 31)), d => d <= new DateOnly(2019, 12, 31));
    }

    /// <summary>Filters apply to text queries.</summary>
    [Fact]
    public async Task Filters_apply_to_text_queries()
    {
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, "tài liệu", r => r with { Filters = [new TermsFilter(SearchFields.Agency, [SearchFixtures.MinistryAgency])] });
        Assert.NotEmpty(results.Hits);
        Assert.All(results.Hits, h => Assert.Equal(SearchFixtures.MinistryAgency, h.Document.AgencyId));
    }

    // ---------------------------------------------------------------- facets

    /// <summary>Facets count values over all matches and honour filters.</summary>
    [Fact]
    public async Task Facets_count_values_over_all_matches_and_honour_filters()
    {
        Assert.SkipUnless(SupportsFacets, "engine does not compute facets");
        var index = await LoadedIndexAsync();
        string[] fields = [SearchFields.Agency, SearchFields.DocumentType, SearchFields.AccessLevel, SearchFields.Year, SearchFields.Keyword, "tag.unit", SearchFields.Retention, SearchFields.Status, SearchFields.Kind];
        var filter = new TermsFilter(SearchFields.AccessLevel, [nameof(AccessLevel.Secret)], Exclude: true);
        var results = await SearchAsync(index, null, r => r with { PageSize = 1, Filters = [filter], Facets = fields });
        var matching = SearchFixtures.Records.Where(d => d.AccessLevel != AccessLevel.Secret).ToList();
        Assert.Equal(matching.Count, results.Total);

        foreach (var field in fields)
        {
            var expected = matching.SelectMany(d => ValuesOf(d, field).Distinct()).GroupBy(v => v).ToDictionary(g => g.Key, g => (long)g.Count());
            var actual = results.Facets[field];
            Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.ToDictionary(v => v.Value, v => v.Count).OrderBy(kv => kv.Key, StringComparer.Ordinal));
            Assert.True(actual.Zip(actual.Skip(1)).All(p => p.First.Count >= p.Second.Count), $"facet {field} must be most frequent first");
        }
    }

    /// <summary>Facets follow the text query and facet size.</summary>
    [Fact]
    public async Task Facets_follow_the_text_query_and_facet_size()
    {
        Assert.SkipUnless(SupportsFacets, "engine does not compute facets");
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, "\"lưu trữ\"", r => r with { Facets = [SearchFields.Agency, SearchFields.DocumentType], FacetSize = 1 });
        var matchingAgencies = results.Hits.GroupBy(h => h.Document.AgencyId).OrderByDescending(g => g.Count()).First();
        Assert.Single(results.Facets[SearchFields.Agency]);
        Assert.Equal(matchingAgencies.Count(), results.Facets[SearchFields.Agency][0].Count);
        Assert.Single(results.Facets[SearchFields.DocumentType]);
    }

    // ---------------------------------------------------------------- highlights

    /// <summary>Highlights wrap matches in em including folded matches.</summary>
    [Fact]
    public async Task Highlights_wrap_matches_in_em_including_folded_matches()
    {
        Assert.SkipUnless(SupportsHighlights, "engine does not highlight");
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, "luu tru", r => r with { Highlight = true });
        var hit = results.Hits.Single(h => h.Document.Id == "hs-001");
        var title = hit.Highlights.Single(h => h.Field == SearchFields.Title);
        Assert.Contains("<em>", title.Fragment);
        Assert.Contains(Strip(title.Fragment), hit.Document.Title!);
        Assert.Matches("<em>(lưu|Lưu|lưu trữ|Lưu trữ)</em>", title.Fragment);
        Assert.Null(title.Page);

        var none = await SearchAsync(index, "luu tru");
        Assert.All(none.Hits, h => Assert.Empty(h.Highlights));
    }

    /// <summary>Highlights of paged text name the page.</summary>
    [Fact]
    public async Task Highlights_of_paged_text_name_the_page()
    {
        Assert.SkipUnless(SupportsHighlights, "engine does not highlight");
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, "phông", r => r with { Highlight = true });
        var hit = results.Hits.Single(h => h.Document.Id == "paged");
        var text = hit.Highlights.Where(h => h.Field == SearchFields.Text).ToList();
        Assert.NotEmpty(text);
        Assert.All(text, h => Assert.Equal(2, h.Page));
        Assert.Contains("<em>phông</em>", text[0].Fragment);
    }

    /// <summary>Highlights are html safe.</summary>
    [Fact]
    public async Task Highlights_are_html_safe()
    {
        Assert.SkipUnless(SupportsHighlights, "engine does not highlight");
        var index = await LoadedIndexAsync();
        var results = await SearchAsync(index, "kết quả hòa giải", r => r with { Highlight = true });
        var hit = results.Hits.Single(h => h.Document.Id == "html");
        var text = hit.Highlights.First(h => h.Field == SearchFields.Text).Fragment;
        Assert.DoesNotContain("<script>", text);
        Assert.Contains("&lt;script&gt;", text);
        Assert.Contains("&amp;", text);
        Assert.Empty(Regex.Matches(text, "<(?!/?em>)"));
    }

    // ---------------------------------------------------------------- sorting and paging

    /// <summary>Date sort orders by date with undated last and ties by id.</summary>
    [Fact]
    public async Task Date_sort_orders_by_date_with_undated_last_and_ties_by_id()
    {
        var index = await LoadedIndexAsync();
        var desc = Ids(await SearchAsync(index, null, r => r with { Sort = SearchSort.DateDescending }));
        var asc = Ids(await SearchAsync(index, null, r => r with { Sort = SearchSort.DateAscending }));
        var dated = SearchFixtures.Records.Where(d => d.Date is not null).ToList();
        var undated = SearchFixtures.Records.Where(d => d.Date is null).Select(d => d.Id).Order(StringComparer.Ordinal);
        Assert.Equal(dated.OrderByDescending(d => d.Date).ThenBy(d => d.Id, StringComparer.Ordinal).Select(d => d.Id).Concat(undated), desc);
        Assert.Equal(dated.OrderBy(d => d.Date).ThenBy(d => d.Id, StringComparer.Ordinal).Select(d => d.Id).Concat(undated), asc);

        var sortedQuery = await SearchAsync(index, "tài liệu", r => r with { Sort = SearchSort.DateDescending });
        Assert.All(sortedQuery.Hits, h => Assert.Equal(0, h.Score));
    }

    /// <summary>Sort and query of each paging case.</summary>
    public static TheoryData<SearchSort, string?> PagingCases => new()
    {
        { SearchSort.Relevance, null },
        { SearchSort.Relevance, "hồ sơ lưu trữ tài liệu" },
        { SearchSort.DateDescending, null },
        { SearchSort.DateAscending, "lưu trữ" },
    };

    /// <summary>Cursor paging visits every hit once in a stable order.</summary>
    [Theory]
    [MemberData(nameof(PagingCases))]
    public async Task Cursor_paging_visits_every_hit_once_in_a_stable_order(SearchSort sort, string? query)
    {
        var index = await NewIndexAsync();
        var docs = Enumerable.Range(0, 57).Select(i => new SearchDocument
        {
            Id = $"p-{(i * 37) % 57:D3}",
            Title = (i % 3) switch { 0 => "Hồ sơ lưu trữ", 1 => "Tài liệu lưu trữ hồ sơ", _ => "Tài liệu" },
            Text = i % 5 == 0 ? "lưu trữ tài liệu hồ sơ" : null,
            Date = i % 7 == 0 ? null : new DateOnly(2020, 1, 1).AddDays(i % 4), // many equal dates
            AgencyId = "A",
        }).ToList();
        await index.IndexAsync(docs, Ct);
        await WaitForDataAsync(index, Ct);

        var all = await index.SearchAsync(new SearchRequest { Query = query, Sort = sort, PageSize = 1000 }, Ct);
        Assert.Null(all.NextCursor);
        Assert.True(all.Total > 20, "the case must span more than two pages");

        var paged = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await index.SearchAsync(new SearchRequest { Query = query, Sort = sort, PageSize = 7, Cursor = cursor }, Ct);
            Assert.Equal(all.Total, page.Total);
            Assert.True(page.Hits.Count <= 7);
            paged.AddRange(Ids(page));
            cursor = page.NextCursor;
            pages++;
            Assert.True(pages < 100, "paging does not end");
        }
        while (cursor is not null);

        Assert.True(pages > 2);
        Assert.Equal(Ids(all), paged);
        Assert.Equal(paged.Count, paged.Distinct().Count());
        Assert.Equal(all.Total, paged.Count);
    }

    /// <summary>Last page has no cursor even when full.</summary>
    [Fact]
    public async Task Last_page_has_no_cursor_even_when_full()
    {
        var index = await LoadedIndexAsync();
        var first = await SearchAsync(index, null, r => r with { PageSize = SearchFixtures.Records.Count });
        Assert.Null(first.NextCursor);
        Assert.Equal(SearchFixtures.Records.Count, first.Hits.Count);
    }

    // ---------------------------------------------------------------- writes and visibility

    /// <summary>Upsert replaces a document with the same id.</summary>
    [Fact]
    public async Task Upsert_replaces_a_document_with_the_same_id()
    {
        var index = await LoadedIndexAsync();
        await index.IndexAsync([SearchFixtures.Get("vb-004") with { Title = "Kế hoạch phòng cháy chữa cháy" }], Ct);
        await WaitForDataAsync(index, Ct);
        Assert.Empty(Ids(await SearchAsync(index, "\"công tác văn thư\"")));
        Assert.Equal(["vb-004"], Ids(await SearchAsync(index, "\"phòng cháy\"")));
        Assert.Equal(SearchFixtures.Records.Count, (await SearchAsync(index, null)).Total);
    }

    /// <summary>Delete removes documents and ignores unknown ids.</summary>
    [Fact]
    public async Task Delete_removes_documents_and_ignores_unknown_ids()
    {
        var index = await LoadedIndexAsync();
        await index.DeleteAsync(["vb-004", "no-such-id"], Ct);
        await WaitForDataAsync(index, Ct);
        Assert.DoesNotContain("vb-004", Ids(await SearchAsync(index, "đường dây nóng")));
        Assert.Equal(SearchFixtures.Records.Count - 1, (await SearchAsync(index, null)).Total);
    }

    /// <summary>Read your writes search sees an acknowledged write without waiting.</summary>
    [Fact]
    public async Task Read_your_writes_search_sees_an_acknowledged_write_without_waiting()
    {
        var index = await NewIndexAsync();
        for (var i = 0; i < 5; i++)
        {
            var id = "ryw-" + i.ToString(CultureInfo.InvariantCulture);
            await index.IndexAsync([new SearchDocument { Id = id, Title = $"Biên bản số {i} về kiểm kê tài liệu" }], Ct);
            var results = await index.SearchAsync(new SearchRequest { Query = "kiểm kê", Consistency = SearchConsistency.ReadYourWrites, PageSize = 100 }, Ct);
            Assert.Contains(id, Ids(results));

            await index.DeleteAsync([id], Ct);
            var after = await index.SearchAsync(new SearchRequest { Query = "kiểm kê", Consistency = SearchConsistency.ReadYourWrites, PageSize = 100 }, Ct);
            Assert.DoesNotContain(id, Ids(after));
        }
    }

    /// <summary>Refresh is a visibility barrier for eventual searches.</summary>
    [Fact]
    public async Task Refresh_is_a_visibility_barrier_for_eventual_searches()
    {
        var index = await NewIndexAsync();
        await index.IndexAsync([new SearchDocument { Id = "r-1", Title = "Sổ đăng ký văn bản đến" }], Ct);
        await index.RefreshAsync(Ct);
        Assert.Equal(["r-1"], Ids(await SearchAsync(index, "sổ đăng ký")));
    }

    // ---------------------------------------------------------------- validation

    /// <summary>Page size out of range is rejected.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(SearchRequest.MaxPageSize + 1)]
    public async Task Page_size_out_of_range_is_rejected(int pageSize)
    {
        var index = await NewIndexAsync();
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.SearchAsync(new SearchRequest { PageSize = pageSize }, Ct).AsTask());
        Assert.Contains(e.Errors, x => x.Field == "pageSize" && x.Rule == Rules.PageSize);
    }

    /// <summary>Largest page size is served.</summary>
    [Fact]
    public async Task Largest_page_size_is_served()
    {
        var index = await LoadedIndexAsync();
        var results = await index.SearchAsync(new SearchRequest { PageSize = SearchRequest.MaxPageSize }, Ct);
        Assert.Equal(SearchFixtures.Records.Count, results.Hits.Count);
    }

    /// <summary>Unknown filter and facet fields are rejected naming them.</summary>
    [Fact]
    public async Task Unknown_filter_and_facet_fields_are_rejected_naming_them()
    {
        var index = await NewIndexAsync();
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.SearchAsync(new SearchRequest
        {
            Filters = [new TermsFilter(SearchFields.Agency, ["A"]), new TermsFilter("title", ["x"])],
            Facets = ["nope"],
        }, Ct).AsTask());
        Assert.Contains(e.Errors, x => x.Field == "filters[1].field" && x.Rule == Rules.FilterField);
        Assert.Contains(e.Errors, x => x.Field == "facets[0]" && x.Rule == Rules.FacetField);
        Assert.DoesNotContain(e.Errors, x => x.Field.StartsWith("filters[0]", StringComparison.Ordinal));
    }

    /// <summary>Unknown access level value is rejected rather than silently matching nothing.</summary>
    [Fact]
    public async Task Unknown_access_level_value_is_rejected_rather_than_silently_matching_nothing()
    {
        var index = await NewIndexAsync();
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.SearchAsync(new SearchRequest
        {
            Filters = [new TermsFilter(SearchFields.AccessLevel, ["Mat"], Exclude: true)],
        }, Ct).AsTask());
        Assert.Contains(e.Errors, x => x.Field == "filters[0].values[0]" && x.Rule == Rules.FilterValue);
    }

    /// <summary>Malformed cursor is rejected.</summary>
    [Theory]
    [InlineData("not a cursor")]
    [InlineData("AAAA")]
    [InlineData("")]
    public async Task Malformed_cursor_is_rejected(string cursor)
    {
        var index = await LoadedIndexAsync();
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.SearchAsync(new SearchRequest { Cursor = cursor }, Ct).AsTask());
        Assert.Contains(e.Errors, x => x.Field == "cursor" && x.Rule == Rules.CursorMalformed);
    }

    /// <summary>Cursor of another search is rejected.</summary>
    [Fact]
    public async Task Cursor_of_another_search_is_rejected()
    {
        var index = await LoadedIndexAsync();
        var first = await index.SearchAsync(new SearchRequest { Query = "tài liệu", PageSize = 1 }, Ct);
        Assert.NotNull(first.NextCursor);
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.SearchAsync(new SearchRequest { Query = "hồ sơ", PageSize = 1, Cursor = first.NextCursor }, Ct).AsTask());
        Assert.Contains(e.Errors, x => x.Field == "cursor" && x.Rule == Rules.CursorMismatch);
    }

    /// <summary>Invalid document rejects the whole batch.</summary>
    [Fact]
    public async Task Invalid_document_rejects_the_whole_batch()
    {
        var index = await NewIndexAsync();
        var e = await Assert.ThrowsAsync<ArchiveValidationException>(() => index.IndexAsync(
        [
            new SearchDocument { Id = "ok-1", Title = "Hợp lệ" },
            new SearchDocument { Id = " ", Title = "Thiếu mã" },
        ], Ct).AsTask());
        Assert.Contains(e.Errors, x => x.Field == "documents[1].id" && x.Rule == Rules.DocumentId);
        var results = await index.SearchAsync(new SearchRequest { Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.Equal(0, results.Total);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>The values of <paramref name="field"/> in <paramref name="d"/>, as the index stores them.</summary>
    protected static IEnumerable<string> ValuesOf(SearchDocument d, string field)
    {
        if (field == SearchFields.Keyword)
        {
            return d.Keywords;
        }

        string? value = field switch
        {
            SearchFields.Kind => d.Kind.ToString(),
            SearchFields.ParentId => d.ParentId,
            SearchFields.Agency => d.AgencyId,
            SearchFields.Fonds => d.FondsId,
            SearchFields.FileCode => d.FileCode,
            SearchFields.CodeNumber => d.CodeNumber,
            SearchFields.DocumentType => d.DocumentType,
            SearchFields.IssuingBody => d.IssuingBody,
            SearchFields.Retention => d.Retention,
            SearchFields.AccessLevel => d.AccessLevel.ToString(),
            SearchFields.Status => d.Status,
            SearchFields.Year => d.Date?.Year.ToString(CultureInfo.InvariantCulture),
            _ when field.StartsWith(SearchFields.TagPrefix, StringComparison.Ordinal) => d.Tags?.GetValueOrDefault(field[SearchFields.TagPrefix.Length..]),
            _ => throw new ArgumentException(field),
        };
        return value is null ? [] : [value];
    }

    /// <summary>The text of an HTML fragment: tags removed, entities decoded.</summary>
    protected static string Strip(string fragment) => WebUtility.HtmlDecode(Regex.Replace(fragment, "<[^>]+>", ""));
}
