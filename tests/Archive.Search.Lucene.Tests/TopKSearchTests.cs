using System.Globalization;

namespace Archive.Search.Lucene.Tests;

/// <summary>
/// Free-text queries are evaluated top-k (documents that cannot reach the page are skipped) and count exactly only up to
/// <see cref="LuceneSearchOptions.ExactTotalHitsThreshold"/>. These tests compare that path with the exhaustive one
/// (threshold <see cref="int.MaxValue"/>) on the same documents.
/// </summary>
public sealed class TopKSearchTests
{
    private static readonly string[] Common = ["của", "các", "được", "và", "theo", "quy", "định", "này", "có", "người"];

    private static readonly string[] Rare =
    [
        "tố", "tụng", "hình", "sự", "đất", "đai", "thừa", "kế", "hôn", "nhân", "thuế", "giá", "trị", "gia", "tăng",
        "lao", "động", "bảo", "hiểm", "xã", "hội", "môi", "trường", "khoáng", "sản", "hải", "quan", "đầu", "tư",
        "xây", "dựng", "giao", "thông", "đường", "bộ", "ngân", "hàng", "chứng", "khoán", "phá", "sản", "cạnh", "tranh",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<SearchDocument> Corpus(int count)
    {
        var rng = new Random(7);
        var docs = new List<SearchDocument>(count);
        for (var d = 0; d < count; d++)
        {
            var words = new List<string>();
            var length = 20 + rng.Next(60);
            for (var w = 0; w < length; w++)
            {
                // Common syllables in most documents, rarer ones skewed (Zipf-like), so a query matches most of the index.
                words.Add(rng.NextDouble() < 0.45 ? Common[rng.Next(Common.Length)] : Rare[(int)(Rare.Length * Math.Pow(rng.NextDouble(), 2.5))]);
            }

            var title = string.Join(' ', Enumerable.Range(0, 3 + rng.Next(4)).Select(_ => Rare[rng.Next(Rare.Length)]));
            docs.Add(new SearchDocument
            {
                Id = d.ToString("D5", CultureInfo.InvariantCulture),
                Title = title,
                Text = string.Join(' ', words),
                AgencyId = "A" + (d % 4).ToString(CultureInfo.InvariantCulture),
                Date = new DateOnly(2000, 1, 1).AddDays(d % 5000),
            });
        }

        return docs;
    }

    private static readonly string[] Queries =
    [
        "quy định của luật tố tụng hình sự về người bào chữa",
        "thuế giá trị gia tăng được khấu trừ theo quy định này",
        "thue gia tri gia tang",
        "hôn nhân và gia đình",
        "bảo hiểm xã hội của người lao động",
        "đất đai",
        "các",
        "ngân hàng chứng khoán cạnh tranh phá sản hải quan",
    ];

    private sealed class Pair : IDisposable
    {
        private readonly TempFolder _a = new();
        private readonly TempFolder _b = new();

        public Pair(int threshold)
        {
            Exhaustive = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = _a.Path, ExactTotalHitsThreshold = int.MaxValue });
            TopK = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = _b.Path, ExactTotalHitsThreshold = threshold });
        }

        public LuceneSearchIndex Exhaustive { get; }

        public LuceneSearchIndex TopK { get; }

        public async Task IndexAsync(List<SearchDocument> docs)
        {
            // Several calls: several segments, so pruning carries its threshold from one segment to the next.
            foreach (var chunk in docs.Chunk(700))
            {
                await Exhaustive.IndexAsync(chunk, Ct);
                await TopK.IndexAsync(chunk, Ct);
            }

            await Exhaustive.RefreshAsync(Ct);
            await TopK.RefreshAsync(Ct);
        }

        public void Dispose()
        {
            Exhaustive.Dispose();
            TopK.Dispose();
            _a.Dispose();
            _b.Dispose();
        }
    }

    [Fact]
    public async Task Top_hits_are_those_of_the_exhaustive_search_and_the_capped_total_is_flagged()
    {
        using var pair = new Pair(threshold: 0);
        await pair.IndexAsync(Corpus(3000));
        var pruned = 0;
        foreach (var query in Queries)
        {
            foreach (var filters in new[] { Array.Empty<SearchFilter>(), [new TermsFilter(SearchFields.Agency, ["A1", "A2"])] })
            {
                var request = new SearchRequest { Query = query, PageSize = 10, Filters = filters };
                var full = await pair.Exhaustive.SearchAsync(request, Ct);
                var topK = await pair.TopK.SearchAsync(request, Ct);
                Assert.True(full.TotalIsExact);
                Assert.Equal(full.Hits.Select(h => h.Document.Id), topK.Hits.Select(h => h.Document.Id));
                for (var i = 0; i < full.Hits.Count; i++)
                {
                    Assert.Equal(full.Hits[i].Score, topK.Hits[i].Score, 1e-4 * full.Hits[i].Score);
                }

                Assert.True(topK.Total <= full.Total, $"'{query}': lower bound {topK.Total} above the exact {full.Total}");
                Assert.True(topK.Total >= topK.Hits.Count);
                if (topK.TotalIsExact)
                {
                    Assert.Equal(full.Total, topK.Total);
                }
                else
                {
                    pruned++;
                }

                Assert.Equal(full.NextCursor is null, topK.NextCursor is null);
            }
        }

        Assert.True(pruned > 0, "no query was pruned: the test does not exercise the top-k path");
    }

    [Fact]
    public async Task A_faceted_query_takes_the_pruned_path_with_the_exhaustive_hits_total_and_facets()
    {
        using var pair = new Pair(threshold: 0);
        await pair.IndexAsync(Corpus(3000));
        foreach (var query in Queries)
        {
            foreach (var filters in new[] { Array.Empty<SearchFilter>(), [new TermsFilter(SearchFields.Agency, ["A1", "A2"])] })
            {
                var request = new SearchRequest { Query = query, PageSize = 10, Filters = filters, Facets = [SearchFields.Agency, SearchFields.Year], FacetSize = 50 };
                var full = await pair.Exhaustive.SearchAsync(request, Ct);
                var topK = await pair.TopK.SearchAsync(request, Ct);
                Assert.True(topK.TotalIsExact);
                Assert.Equal(full.Total, topK.Total);
                Assert.Equal(full.Hits.Select(h => h.Document.Id), topK.Hits.Select(h => h.Document.Id));
                for (var i = 0; i < full.Hits.Count; i++)
                {
                    Assert.Equal(full.Hits[i].Score, topK.Hits[i].Score, 1e-4 * full.Hits[i].Score);
                }

                foreach (var field in request.Facets)
                {
                    Assert.Equal(full.Facets[field], topK.Facets[field]);
                }

                Assert.Equal(full.Total, topK.Facets[SearchFields.Agency].Sum(v => v.Count));
                Assert.Equal(full.NextCursor is null, topK.NextCursor is null);
            }
        }

        // Paging: every page carries the facets of all matches, in the exhaustive order.
        var paged = new SearchRequest { Query = "thuế giá trị gia tăng được khấu trừ", PageSize = 25, Facets = [SearchFields.Year] };
        var expected = (await pair.Exhaustive.SearchAsync(paged with { PageSize = 75 }, Ct)).Hits.Select(h => h.Document.Id).ToList();
        var facets = (await pair.Exhaustive.SearchAsync(paged, Ct)).Facets[SearchFields.Year];
        var seen = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 3; page++)
        {
            var r = await pair.TopK.SearchAsync(paged with { Cursor = cursor }, Ct);
            Assert.Equal(facets, r.Facets[SearchFields.Year]);
            seen.AddRange(r.Hits.Select(h => h.Document.Id));
            cursor = r.NextCursor;
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Paging_through_a_pruned_query_gives_the_exhaustive_order()
    {
        using var pair = new Pair(threshold: 0);
        await pair.IndexAsync(Corpus(2000));
        foreach (var query in new[] { "quy định của luật tố tụng hình sự", "thue gia tri gia tang" })
        {
            var expected = (await pair.Exhaustive.SearchAsync(new SearchRequest { Query = query, PageSize = 120 }, Ct)).Hits.Select(h => h.Document.Id).ToList();
            var seen = new List<string>();
            string? cursor = null;
            for (var page = 0; page < 6; page++)
            {
                var r = await pair.TopK.SearchAsync(new SearchRequest { Query = query, PageSize = 20, Cursor = cursor }, Ct);
                seen.AddRange(r.Hits.Select(h => h.Document.Id));
                cursor = r.NextCursor;
                Assert.NotNull(cursor);
            }

            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public async Task Totals_are_exact_below_the_threshold_and_with_facets()
    {
        using var pair = new Pair(threshold: 10_000);
        await pair.IndexAsync(Corpus(1500));
        foreach (var query in Queries)
        {
            var full = await pair.Exhaustive.SearchAsync(new SearchRequest { Query = query }, Ct);
            var topK = await pair.TopK.SearchAsync(new SearchRequest { Query = query }, Ct);
            Assert.True(topK.TotalIsExact);
            Assert.Equal(full.Total, topK.Total);
            Assert.Equal(full.Hits.Select(h => h.Document.Id), topK.Hits.Select(h => h.Document.Id));
        }

        using var capped = new TempFolder();
        using var small = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = capped.Path, ExactTotalHitsThreshold = 10 });
        var docs = Corpus(1500);
        await small.IndexAsync(docs, Ct);
        await small.RefreshAsync(Ct);
        var faceted = await small.SearchAsync(new SearchRequest { Query = "quy định của luật", Facets = [SearchFields.Agency] }, Ct);
        Assert.True(faceted.TotalIsExact);
        Assert.Equal((await pair.Exhaustive.SearchAsync(new SearchRequest { Query = "quy định của luật" }, Ct)).Total, faceted.Total);
        Assert.Equal(faceted.Total, faceted.Facets[SearchFields.Agency].Sum(v => v.Count));

        var lowerBound = await small.SearchAsync(new SearchRequest { Query = "quy định của luật" }, Ct);
        Assert.False(lowerBound.TotalIsExact);
        Assert.InRange(lowerBound.Total, 10, faceted.Total);
    }

    [Fact]
    public async Task A_rare_term_match_ranks_first_among_documents_full_of_common_terms()
    {
        using var folder = new TempFolder();
        using var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder.Path, ExactTotalHitsThreshold = 0 });
        var docs = Corpus(1200);
        docs.Add(new SearchDocument { Id = "needle", Title = "Quyết định", Text = "quy định của các cơ quan về phòng chống thiên tai và được áp dụng" });
        await index.IndexAsync(docs, Ct);
        await index.RefreshAsync(Ct);

        var r = await index.SearchAsync(new SearchRequest { Query = "quy định của các cơ quan về thiên tai", PageSize = 5 }, Ct);
        Assert.Equal("needle", r.Hits[0].Document.Id);
        r = await index.SearchAsync(new SearchRequest { Query = "thien tai cua cac co quan", PageSize = 5 }, Ct);
        Assert.Equal("needle", r.Hits[0].Document.Id);
    }
}
