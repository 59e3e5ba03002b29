using System.Diagnostics;
using System.Globalization;
using Archive.Search;
using Archive.Search.Lucene;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace Archive.Bench;

/// <summary>
/// Retrieval quality of the Vietnamese search on a corpus with judged questions, with and without diacritics, beside
/// plain BM25 on syllables in the same run.
/// </summary>
internal sealed class SearchQualityCommand : IBenchCommand
{
    public string Name => "search-quality";

    public string Description => "Recall@1/@10, MRR@10 of the Lucene engine vs plain BM25 (questions with and without diacritics)";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                search-quality --corpus FILE.jsonl --queries FILE.jsonl [--qrels FILE.tsv] [--split NAME] [--ablation]
                               [--k1 X] [--b X] [--title-boost X] [--text-boost X] [--accent-boost X] [--bigram-boost X]
                               [--common-ratio X] [--no-bigrams] [--exact-total-threshold N] [--sweep]

                Indexes the corpus ({id, law_id, article_id, title, text} per line; Title = title, Text = text) through
                ISearchIndex (LuceneSearchIndex in a temporary folder), runs every question as written and with its
                diacritics removed (NFD, combining marks dropped, đ → d), and prints Recall@1, Recall@10 and MRR@10.
                The same run scores two baselines on the same documents (title + text in one field): plain BM25
                (k1 1.2, b 0.75) over a standard (UAX #29) tokenizer + lower-casing, and over a whitespace tokenizer +
                lower-casing; no folding, OR of the query's terms. Relevance comes from the queries' "relevant" lists, or
                from --qrels (TREC). --ablation also scores engine variants (folded syllables only, + accented syllables,
                + bigrams, no common-term gate, title boost 1 and 2, exhaustive scoring, top-k pruning from the first hit).
                --exact-total-threshold sets LuceneSearchOptions.ExactTotalHitsThreshold of the default row. --sweep (tuning aid) indexes once and prints a grid of
                rankings; give comma-separated values to --title-boost --accent-boost --bigram-boost --k1 --b --common-ratio.
                """);
            return 0;
        }

        var corpusPath = args.Required("corpus");
        var queriesPath = args.Required("queries");
        var corpus = SearchBenchData.ReadJsonLines<CorpusDoc>(corpusPath);
        var queries = SearchBenchData.ReadJsonLines<BenchQuery>(queriesPath);
        if (args.Optional("split") is { } split)
        {
            queries = queries.Where(q => q.Split == split).ToList();
        }

        var qrels = args.Optional("qrels") is { } qrelsPath ? SearchBenchData.ReadQrels(qrelsPath) : null;
        var judged = queries
            .Select(q => (Query: q, Relevant: (IReadOnlySet<string>)(qrels?.GetValueOrDefault(q.Id) ?? q.Relevant?.ToHashSet(StringComparer.Ordinal) ?? [])))
            .Where(x => x.Relevant.Count > 0)
            .ToList();
        Console.WriteLine($"corpus {corpusPath}: {corpus.Count} documents; queries {queriesPath}: {judged.Count} judged");

        if (args.Has("sweep"))
        {
            await SweepAsync(corpus, judged, args);
            return 0;
        }

        var table = new Table("system", "queries", "R@1", "R@10", "MRR@10", "MRR@10 no diacritics", "R@10 no diacritics", "MRR change");
        var threshold = args.Int("exact-total-threshold", new LuceneSearchOptions().ExactTotalHitsThreshold);
        var configs = new List<(string Name, LuceneRankingOptions Ranking, int Threshold)> { ("archive (default)", FromArgs(args), threshold) };
        if (args.Has("ablation"))
        {
            configs.Add(("ablation: folded syllables only", new LuceneRankingOptions { AccentedBoost = 0, BigramBoost = 0, IndexBigrams = false }, threshold));
            configs.Add(("ablation: + accented syllables", new LuceneRankingOptions { BigramBoost = 0, IndexBigrams = false }, threshold));
            configs.Add(("ablation: + bigrams (= default)", new LuceneRankingOptions(), threshold));
            configs.Add(("ablation: default, no common-term gate", new LuceneRankingOptions { CommonTermRatio = 1 }, threshold));
            configs.Add(("ablation: default, title boost 1.0", new LuceneRankingOptions { TitleBoost = 1, SubjectBoost = 1 }, threshold));
            configs.Add(("ablation: default, title boost 2.0", new LuceneRankingOptions { TitleBoost = 2, SubjectBoost = 2 }, threshold));
            configs.Add(("ablation: default, exhaustive scoring", new LuceneRankingOptions(), int.MaxValue));
            configs.Add(("ablation: default, top-k pruning from 1st hit", new LuceneRankingOptions(), 0));
        }

        foreach (var (name, ranking, exactUpTo) in configs)
        {
            var sw = Stopwatch.StartNew();
            var (asWritten, folded) = await RunEngineAsync(corpus, judged, ranking, exactUpTo);
            Add(table, name, asWritten, folded);
            Console.WriteLine($"{name}: {sw.Elapsed.TotalSeconds:0.0} s");
        }

        foreach (var (name, analyzer) in new (string, Func<Analyzer>)[]
        {
            ("plain BM25, standard tokenizer", () => new PlainAnalyzer(whitespace: false)),
            ("plain BM25, whitespace tokenizer", () => new PlainAnalyzer(whitespace: true)),
        })
        {
            var (asWritten, folded) = RunBaseline(corpus, judged, analyzer);
            Add(table, name, asWritten, folded);
        }

        Console.WriteLine();
        Console.WriteLine($"search-quality: {Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(corpusPath)))} ({corpus.Count} docs, {judged.Count} queries) — {Table.Machine()}");
        Console.WriteLine(table);
        return 0;
    }

    /// <summary>
    /// Tuning aid: indexes once (with bigrams), then reopens the same folder with each ranking in a grid (boosts, k1, b
    /// are query-time settings) and prints every configuration's scores, best MRR@10 first.
    /// </summary>
    private static async Task SweepAsync(List<CorpusDoc> corpus, List<(BenchQuery Query, IReadOnlySet<string> Relevant)> judged, BenchArgs args)
    {
        var folder = Path.Combine(Path.GetTempPath(), "archive-search-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder }))
            {
                foreach (var batch in corpus.Chunk(500))
                {
                    await index.IndexAsync(batch.Select(ToSearchDocument).ToList());
                }
            }

            float[] Grid(string name, params float[] fallback)
                => args.Optional(name) is { } v ? v.Split(',').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToArray() : fallback;
            var rows = new List<(double Mrr, object?[] Cells)>();
            var grid =
                from title in Grid("title-boost", 1f)
                from accent in Grid("accent-boost", 0.25f)
                from bigram in Grid("bigram-boost", 1f)
                from k1 in Grid("k1", 1.2f)
                from b in Grid("b", 0.75f)
                from common in Grid("common-ratio", 1f)
                select new LuceneRankingOptions { TitleBoost = title, SubjectBoost = title, AccentedBoost = accent, BigramBoost = bigram, K1 = k1, B = b, CommonTermRatio = common };
            foreach (var ranking in grid)
            {
                using var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder, Ranking = ranking });
                var asWritten = new RetrievalMetrics();
                var folded = new RetrievalMetrics();
                foreach (var (q, relevant) in judged)
                {
                    asWritten.Add(await TopAsync(index, q.Text), relevant);
                    folded.Add(await TopAsync(index, SearchBenchData.RemoveDiacritics(q.Text)), relevant);
                }

                rows.Add((asWritten.Mrr10, [ranking.TitleBoost, ranking.AccentedBoost, ranking.BigramBoost, ranking.K1, ranking.B, ranking.CommonTermRatio, asWritten.Recall1, asWritten.Recall10, asWritten.Mrr10, folded.Mrr10]));
                Console.WriteLine(string.Join(" ", rows[^1].Cells.Select(c => Convert.ToString(c, CultureInfo.InvariantCulture))));
            }

            var table = new Table("title", "accent", "bigram", "k1", "b", "common", "R@1", "R@10", "MRR@10", "MRR@10 no diacritics");
            foreach (var row in rows.OrderByDescending(r => r.Mrr))
            {
                table.Add(row.Cells);
            }

            Console.WriteLine(table);
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    private static void Add(Table table, string name, RetrievalMetrics asWritten, RetrievalMetrics folded)
    {
        var change = asWritten.Mrr10 == 0 ? 0 : (folded.Mrr10 - asWritten.Mrr10) / asWritten.Mrr10;
        table.Add(name, asWritten.Count, asWritten.Recall1, asWritten.Recall10, asWritten.Mrr10, folded.Mrr10, folded.Recall10, (change >= 0 ? "+" : "") + SearchBenchData.Pct(change));
    }

    private static LuceneRankingOptions FromArgs(BenchArgs args)
    {
        var r = new LuceneRankingOptions();
        float F(string name, float fallback) => args.Optional(name) is { } v ? float.Parse(v, CultureInfo.InvariantCulture) : fallback;
        r.K1 = F("k1", r.K1);
        r.B = F("b", r.B);
        r.TitleBoost = F("title-boost", r.TitleBoost);
        r.SubjectBoost = F("subject-boost", r.SubjectBoost);
        r.TextBoost = F("text-boost", r.TextBoost);
        r.AccentedBoost = F("accent-boost", r.AccentedBoost);
        r.BigramBoost = F("bigram-boost", r.BigramBoost);
        r.CommonTermRatio = F("common-ratio", r.CommonTermRatio);
        r.IndexBigrams = !args.Has("no-bigrams");
        return r;
    }

    private static async Task<(RetrievalMetrics AsWritten, RetrievalMetrics Folded)> RunEngineAsync(
        List<CorpusDoc> corpus, List<(BenchQuery Query, IReadOnlySet<string> Relevant)> judged, LuceneRankingOptions ranking, int exactTotalThreshold)
    {
        var folder = Path.Combine(Path.GetTempPath(), "archive-search-quality-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = folder, Ranking = ranking, ExactTotalHitsThreshold = exactTotalThreshold });
            ISearchIndex engine = index;
            foreach (var batch in corpus.Chunk(500))
            {
                await engine.IndexAsync(batch.Select(ToSearchDocument).ToList());
            }

            await engine.RefreshAsync();
            var asWritten = new RetrievalMetrics();
            var folded = new RetrievalMetrics();
            foreach (var (q, relevant) in judged)
            {
                asWritten.Add(await TopAsync(engine, q.Text), relevant);
                folded.Add(await TopAsync(engine, SearchBenchData.RemoveDiacritics(q.Text)), relevant);
            }

            return (asWritten, folded);
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    internal static SearchDocument ToSearchDocument(CorpusDoc d) => new()
    {
        Id = d.Id,
        Kind = SearchDocumentKind.Document,
        Title = d.Title,
        Text = d.Text,
    };

    private static async Task<List<string>> TopAsync(ISearchIndex engine, string query)
    {
        var results = await engine.SearchAsync(new SearchRequest { Query = query, PageSize = 10 });
        return results.Hits.Select(h => h.Document.Id).ToList();
    }

    private static (RetrievalMetrics AsWritten, RetrievalMetrics Folded) RunBaseline(
        List<CorpusDoc> corpus, List<(BenchQuery Query, IReadOnlySet<string> Relevant)> judged, Func<Analyzer> newAnalyzer)
    {
        using var dir = new RAMDirectory();
        using var analyzer = newAnalyzer();
        var similarity = new BM25Similarity(); // k1 1.2, b 0.75
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, analyzer) { Similarity = similarity }))
        {
            foreach (var d in corpus)
            {
                writer.AddDocument(new Document
                {
                    new StringField("id", d.Id, Field.Store.YES),
                    new TextField("all", d.Title + "\n" + d.Text, Field.Store.NO),
                });
            }

            writer.Commit();
        }

        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = similarity };
        var asWritten = new RetrievalMetrics();
        var folded = new RetrievalMetrics();
        foreach (var (q, relevant) in judged)
        {
            asWritten.Add(BaselineTop(searcher, analyzer, q.Text), relevant);
            folded.Add(BaselineTop(searcher, analyzer, SearchBenchData.RemoveDiacritics(q.Text)), relevant);
        }

        return (asWritten, folded);
    }

    private static List<string> BaselineTop(IndexSearcher searcher, Analyzer analyzer, string text)
    {
        var query = new BooleanQuery();
        using (var stream = analyzer.GetTokenStream("all", text))
        {
            var term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            while (stream.IncrementToken())
            {
                query.Add(new TermQuery(new Term("all", term.ToString())), Occur.SHOULD);
            }

            stream.End();
        }

        if (query.Clauses.Count == 0)
        {
            return [];
        }

        return searcher.Search(query, 10).ScoreDocs.Select(sd => searcher.Doc(sd.Doc).Get("id")).ToList();
    }

    /// <summary>Syllables (standard or whitespace tokenizer) lower-cased; nothing else.</summary>
    private sealed class PlainAnalyzer(bool whitespace) : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            Tokenizer tokenizer = whitespace ? new WhitespaceTokenizer(LuceneVersion.LUCENE_48, reader) : new StandardTokenizer(LuceneVersion.LUCENE_48, reader);
            return new TokenStreamComponents(tokenizer, new LowerCaseFilter(LuceneVersion.LUCENE_48, tokenizer));
        }
    }
}
