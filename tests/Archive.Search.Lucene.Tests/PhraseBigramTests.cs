using System.Globalization;

namespace Archive.Search.Lucene.Tests;

/// <summary>
/// A quoted phrase is narrowed by its folded bigrams (issue #17): the conjunction is led by the rarest bigram and positions
/// are read only where all of them occur. These tests compare with the phrase alone — an index without bigrams — which
/// must give the same matches and scores, also over segments written before bigrams were indexed.
/// </summary>
public sealed class PhraseBigramTests
{
    private static readonly string[] Syllables = ["quy", "định", "thuế", "giá", "trị", "gia", "tăng", "của", "người", "lao", "động", "bảo", "hiểm", "xã", "hội"];

    private static readonly string[] Queries =
    [
        "\"giá trị gia tăng\"",
        "\"gia tri gia tang\"",
        "\"bảo hiểm xã hội\"",
        "\"người lao động\" \"quy định\"",
        "\"thuế giá trị\" -\"gia tăng của\"",
        "\"quy định của người\"",
        "\"xã hội xã hội\"",
        "\"lao động\" -\"lao dong bao\"",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<SearchDocument> Corpus(int count)
    {
        var rng = new Random(11);
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => Syllables[rng.Next(Syllables.Length)]));
        return Enumerable.Range(0, count).Select(d => new SearchDocument
        {
            Id = d.ToString("D5", CultureInfo.InvariantCulture),
            Title = Words(3 + rng.Next(5)),
            Text = Words(20 + rng.Next(80)),

            // Several values of one field: a phrase must not run from one value into the next.
            Keywords = [Words(2), Words(2), Words(1)],
        }).ToList();
    }

    private static LuceneSearchIndex Open(TempFolder folder, bool bigrams)
    {
        var options = new LuceneSearchOptions { IndexPath = folder.Path };
        options.Ranking.IndexBigrams = bigrams;
        return new LuceneSearchIndex(options);
    }

    private static async Task<List<SearchResults>> RunAsync(LuceneSearchIndex index)
    {
        var results = new List<SearchResults>();
        foreach (var query in Queries)
        {
            results.Add(await index.SearchAsync(new SearchRequest { Query = query, PageSize = 50, Consistency = SearchConsistency.ReadYourWrites }, Ct));
        }

        return results;
    }

    private static void AssertSame(List<SearchResults> expected, List<SearchResults> actual)
    {
        var matched = 0;
        for (var q = 0; q < Queries.Length; q++)
        {
            var (e, a) = (expected[q], actual[q]);
            Assert.True(e.Total == a.Total, $"{Queries[q]}: {a.Total} matches, expected {e.Total}");
            Assert.Equal(e.Hits.Select(h => h.Document.Id), a.Hits.Select(h => h.Document.Id));
            for (var i = 0; i < e.Hits.Count; i++)
            {
                Assert.Equal(e.Hits[i].Score, a.Hits[i].Score, 1e-5 * e.Hits[i].Score);
            }

            matched += e.Total > 0 && e.Total < 1500 ? 1 : 0;
        }

        Assert.True(matched >= Queries.Length - 1, "the queries should match some documents but not all");
    }

    [Fact]
    public async Task Phrases_narrowed_by_bigrams_match_and_score_as_the_phrase_alone()
    {
        var docs = Corpus(1500);
        using var plainFolder = new TempFolder();
        using var narrowedFolder = new TempFolder();
        using var plain = Open(plainFolder, bigrams: false);
        using var narrowed = Open(narrowedFolder, bigrams: true);
        foreach (var chunk in docs.Chunk(500))
        {
            await plain.IndexAsync(chunk, Ct);
            await narrowed.IndexAsync(chunk, Ct);
        }

        AssertSame(await RunAsync(plain), await RunAsync(narrowed));
    }

    [Fact]
    public async Task Segments_written_without_bigrams_still_match_phrases()
    {
        var docs = Corpus(1500);
        using var plainFolder = new TempFolder();
        using var mixedFolder = new TempFolder();
        using var plain = Open(plainFolder, bigrams: false);
        await plain.IndexAsync(docs, Ct);
        using (var before = Open(mixedFolder, bigrams: false))
        {
            await before.IndexAsync(docs.Take(700).ToList(), Ct);
        }

        using var mixed = Open(mixedFolder, bigrams: true);
        Assert.False(mixed.PhrasesNarrowedByBigrams);
        await mixed.IndexAsync(docs.Skip(700).ToList(), Ct);
        AssertSame(await RunAsync(plain), await RunAsync(mixed));

        // A rebuild writes every document with its bigrams: from then on phrases are narrowed, with the same results.
        await using (var rebuild = await mixed.OpenRebuildAsync("with-bigrams", Ct))
        {
            await rebuild.IndexAsync(docs, Ct);
            await rebuild.CommitAsync(Ct);
        }

        Assert.True(mixed.PhrasesNarrowedByBigrams);
        AssertSame(await RunAsync(plain), await RunAsync(mixed));
    }

    [Fact]
    public async Task Whether_every_document_has_its_bigrams_is_kept_with_the_index()
    {
        using var folder = new TempFolder();
        var docs = Corpus(20);
        using (var index = Open(folder, bigrams: true))
        {
            Assert.True(index.PhrasesNarrowedByBigrams);
            await index.IndexAsync(docs.Take(10).ToList(), Ct);
        }

        using (var index = Open(folder, bigrams: true))
        {
            Assert.True(index.PhrasesNarrowedByBigrams);
        }

        using (var index = Open(folder, bigrams: false))
        {
            Assert.False(index.PhrasesNarrowedByBigrams);
            await index.IndexAsync(docs.Skip(10).ToList(), Ct);
        }

        // Written without bigrams once: not narrowed again until rebuilt, even if nothing was written while it was off.
        using (var index = Open(folder, bigrams: true))
        {
            Assert.False(index.PhrasesNarrowedByBigrams);
        }
    }
}
