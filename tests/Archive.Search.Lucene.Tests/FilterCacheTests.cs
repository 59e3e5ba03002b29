using System.Globalization;

namespace Archive.Search.Lucene.Tests;

/// <summary>
/// Filters are evaluated once per segment and kept (<see cref="LuceneSearchOptions.FilterCacheEntries"/>): every search
/// must give what the same search gives without the cache — also after documents of a cached segment were deleted or
/// replaced, on every evaluation path (top-k free text, faceted, phrase, browse by date).
/// </summary>
public sealed class FilterCacheTests
{
    private static readonly string[] Words = ["quy", "định", "thuế", "giá", "trị", "gia", "tăng", "của", "người", "lao", "động", "bảo", "hiểm"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SearchDocument Doc(int d, Random rng, string? agency = null) => new()
    {
        Id = d.ToString("D5", CultureInfo.InvariantCulture),
        Title = string.Join(' ', Enumerable.Range(0, 4).Select(_ => Words[rng.Next(Words.Length)])),
        Text = string.Join(' ', Enumerable.Range(0, 30).Select(_ => Words[rng.Next(Words.Length)])),
        AgencyId = agency ?? "A" + (d % 5).ToString(CultureInfo.InvariantCulture),
        AccessLevel = d % 7 == 0 ? AccessLevel.Secret : AccessLevel.Public,
        Date = new DateOnly(1995, 1, 1).AddDays(d * 3 % 11000),
    };

    private static readonly SearchFilter[][] FilterSets =
    [
        [new TermsFilter(SearchFields.Agency, ["A1", "A2"])],
        [new TermsFilter(SearchFields.AccessLevel, ["Secret"], Exclude: true), new YearRangeFilter(2000, 2020)],
        [new TermsFilter(SearchFields.Agency, ["A3"]), new TermsFilter(SearchFields.AccessLevel, ["Secret"], Exclude: true)],
        [new YearRangeFilter(null, 1999)],
        [new TermsFilter(SearchFields.Agency, ["A1 agency:A2"])], // not the first set's two agencies
        [new TermsFilter(SearchFields.Agency, ["A9"])],
    ];

    private static IEnumerable<SearchRequest> Requests()
    {
        foreach (var filters in FilterSets)
        {
            yield return new SearchRequest { Query = "thuế giá trị gia tăng của người lao động", PageSize = 10, Filters = filters };
            yield return new SearchRequest { Query = "bảo hiểm", PageSize = 10, Filters = filters, Facets = [SearchFields.Agency, SearchFields.Year] };
            yield return new SearchRequest { Query = "\"giá trị\"", PageSize = 10, Filters = filters };
            yield return new SearchRequest { PageSize = 20, Sort = SearchSort.DateDescending, Filters = filters, Facets = [SearchFields.AccessLevel] };
        }
    }

    private static async Task AssertSameAsync(LuceneSearchIndex expectedIndex, LuceneSearchIndex actualIndex)
    {
        var nonEmpty = 0;
        foreach (var request in Requests())
        {
            var r = request with { Consistency = SearchConsistency.ReadYourWrites };
            var expected = await expectedIndex.SearchAsync(r, Ct);
            var actual = await actualIndex.SearchAsync(r, Ct);
            Assert.True(expected.Total == actual.Total, $"{request.Query} with {string.Join(", ", request.Filters)}: {actual.Total} matches, expected {expected.Total}");
            Assert.Equal(expected.Hits.Select(h => h.Document.Id), actual.Hits.Select(h => h.Document.Id));
            foreach (var (field, values) in expected.Facets)
            {
                Assert.Equal(values, actual.Facets[field]);
            }

            nonEmpty += expected.Total > 0 ? 1 : 0;
        }

        Assert.True(nonEmpty >= 12, "most requests should match something");
    }

    [Fact]
    public async Task Cached_filters_give_what_uncached_ones_give_also_after_deletes_and_updates()
    {
        using var cachedFolder = new TempFolder();
        using var plainFolder = new TempFolder();
        using var cached = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = cachedFolder.Path, FilterCacheMinSegmentDocs = 0 });
        using var plain = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = plainFolder.Path, FilterCacheEntries = 0 });
        var rng = new Random(3);
        var docs = Enumerable.Range(0, 2400).Select(d => Doc(d, rng)).ToList();
        foreach (var chunk in docs.Chunk(800))
        {
            await cached.IndexAsync(chunk, Ct);
            await plain.IndexAsync(chunk, Ct);
        }

        await AssertSameAsync(plain, cached); // fills the cache
        await AssertSameAsync(plain, cached); // answered from it

        // Deleted documents and documents moved to another agency: the cached segments still hold them.
        var deleted = docs.Where((_, i) => i % 3 == 0).Select(d => d.Id).ToList();
        var moved = docs.Where((_, i) => i % 3 == 1 && i % 5 == 1).Select(d => d with { AgencyId = "A3", Date = new DateOnly(2010, 6, 1) }).ToList();
        foreach (var index in new[] { cached, plain })
        {
            await index.DeleteAsync(deleted, Ct);
            await index.IndexAsync(moved, Ct);
        }

        await AssertSameAsync(plain, cached);
        var a1 = await cached.SearchAsync(new SearchRequest { Query = "bảo hiểm", Filters = [new TermsFilter(SearchFields.Agency, ["A1"])], PageSize = 200, Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.DoesNotContain(a1.Hits, h => deleted.Contains(h.Document.Id) || moved.Any(m => m.Id == h.Document.Id));
        var browse = await cached.SearchAsync(new SearchRequest { Sort = SearchSort.DateDescending, Filters = [new TermsFilter(SearchFields.Agency, ["A1"])], PageSize = 200, Consistency = SearchConsistency.ReadYourWrites }, Ct);
        Assert.DoesNotContain(browse.Hits, h => deleted.Contains(h.Document.Id) || moved.Any(m => m.Id == h.Document.Id));
    }

    [Fact]
    public void The_cache_size_is_checked()
    {
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = Path.GetTempPath(), FilterCacheEntries = -1 }));
        Assert.Contains("FilterCacheEntries", e.Message, StringComparison.Ordinal);
    }
}
