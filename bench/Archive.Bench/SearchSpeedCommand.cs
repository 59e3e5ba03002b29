using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Archive.Search;
using Archive.Search.Lucene;

namespace Archive.Bench;

/// <summary>Indexing rate and query latency of the Lucene engine on a corpus replicated to a target size.</summary>
internal sealed partial class SearchSpeedCommand : IBenchCommand
{
    private static readonly string[] Agencies = Enumerable.Range(0, 40).Select(i => $"000.00.{i / 10:D2}.{(char)('A' + (i % 10))}{i:D2}").ToArray();
    private static readonly string[] Types = ["Công văn", "Quyết định", "Báo cáo", "Tờ trình", "Kế hoạch", "Thông báo", "Biên bản", "Hợp đồng"];
    private static readonly string[] Retentions = ["permanent", "70y", "50y", "20y", "10y", "5y"];
    private static readonly string[] Statuses = ["finished", "unfinished", "accessioned"];

    public string Name => "search-speed";

    public string Description => "indexing docs/s and query latency p50/p95/p99 of the Lucene engine on a corpus replicated to N documents";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                search-speed --corpus FILE.jsonl --queries FILE.jsonl --target-docs N --index DIR
                             [--writers 2] [--batch 1000] [--query-count 500] [--max-index-seconds 5400] [--reuse]
                             [--exact-total-threshold N] [--workloads question,no-diacritics,...] [--warmup 20]

                Builds a LuceneSearchIndex in DIR (which must be empty or absent, unless --reuse queries an index built
                before) from the corpus replicated to N documents, then measures single-threaded query latency.
                Replicas are deterministic: replica 0 is the corpus as is; replica r > 0 of a document has id
                "ID~r", its title with " (bản r)" appended, its sentences shuffled by a random generator seeded with
                (r, position of the document), and metadata drawn from the same seeded generator: one of 40 agency codes,
                200 fonds, 8 document types, 6 retention labels, access level (2 % Secret, 10 % Conditional), 3 statuses,
                a date in 1995–2024, and tag law = law_id. Writers (--writers tasks) call IndexAsync with --batch
                documents each; every call is a durable commit. Indexing stops at --max-index-seconds (the table says how
                many documents were indexed). Query workloads (--query-count each, after --warmup queries):
                  question        the corpus questions as written (natural language, ~25 syllables), top 10
                  no-diacritics   the same questions without diacritics
                  heading         a short query: an article heading of the corpus (e.g. "Phạm vi điều chỉnh")
                  heading+filters the heading, access != Secret, year 2000–2020, facets agency/type/year
                  phrase          the heading as a quoted phrase
                  browse          no text, agency filter, newest first, facets type/year, then the next page by cursor
                Each workload draws its queries from its own seeded generator, so a subset (--workloads) runs the same
                queries. --exact-total-threshold sets LuceneSearchOptions.ExactTotalHitsThreshold (2147483647 = count and
                score every match, the engine before top-k evaluation). The table gives the share of results whose total
                was exact and the load average after each workload.
                """);
            return 0;
        }

        var corpus = SearchBenchData.ReadJsonLines<CorpusDoc>(args.Required("corpus"));
        var questions = SearchBenchData.ReadJsonLines<BenchQuery>(args.Required("queries")).Select(q => q.Text).ToList();
        var target = args.Long("target-docs", 1_000_000);
        var indexDir = Path.GetFullPath(args.Required("index"));
        var writers = args.Int("writers", 2);
        var batchSize = args.Int("batch", 1000);
        var queryCount = args.Int("query-count", 500);
        var warmup = args.Int("warmup", 20);
        var maxIndexSeconds = args.Int("max-index-seconds", 5400);
        var reuse = args.Has("reuse");
        if (!reuse && Directory.Exists(indexDir) && Directory.EnumerateFileSystemEntries(indexDir).Any())
        {
            Console.Error.WriteLine($"{indexDir} is not empty; pass an empty folder, or --reuse to query the index in it");
            return 2;
        }

        var threshold = args.Int("exact-total-threshold", new LuceneSearchOptions().ExactTotalHitsThreshold);
        var workloads = args.Optional("workloads")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        using var index = new LuceneSearchIndex(new LuceneSearchOptions { IndexPath = indexDir, RamBufferSizeMb = 256, ExactTotalHitsThreshold = threshold });
        ISearchIndex engine = index;
        var indexTable = new Table("phase", "documents", "seconds", "docs/s", "process CPU s", "docs per CPU s", "index size", "writers", "batch");
        if (!reuse)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (indexed, seconds) = await IndexAsync(engine, corpus, target, writers, batchSize, maxIndexSeconds);
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            indexTable.Add("index (durable commits)", indexed, seconds, indexed / seconds, cpuSeconds, indexed / cpuSeconds, Size(indexDir), writers, batchSize);
        }

        await engine.RefreshAsync();
        var total = (await engine.SearchAsync(new SearchRequest { PageSize = 1 })).Total;
        Console.WriteLine($"index {indexDir}: {total} documents, {Size(indexDir)}");

        var headings = corpus.Select(d => Heading(d.Title)).Where(h => h.Length > 0).Distinct().ToList();
        var latency = new Table("workload", "queries", "p50 ms", "p95 ms", "p99 ms", "mean ms", "process CPU ms/query", "mean total hits", "exact totals %", "load after");
        var seed = 42;
        async Task Run(string name, Func<Random, SearchRequest> make, bool nextPage = false)
        {
            var rng = new Random(seed++); // one generator per workload: a subset runs the same queries
            if (workloads is null || workloads.Contains(name))
            {
                await Measure(latency, engine, name, queryCount, warmup, () => make(rng), nextPage);
            }
        }

        static string Pick(Random rng, List<string> list) => list[rng.Next(list.Count)];
        await Run("question", rng => new SearchRequest { Query = Pick(rng, questions), PageSize = 10 });
        await Run("no-diacritics", rng => new SearchRequest { Query = SearchBenchData.RemoveDiacritics(Pick(rng, questions)), PageSize = 10 });
        await Run("heading", rng => new SearchRequest { Query = Pick(rng, headings), PageSize = 10 });
        await Run("heading+filters", rng => new SearchRequest
        {
            Query = Pick(rng, headings),
            PageSize = 10,
            Filters = [new TermsFilter(SearchFields.AccessLevel, ["Secret"], Exclude: true), new YearRangeFilter(2000, 2020)],
            Facets = [SearchFields.Agency, SearchFields.DocumentType, SearchFields.Year],
        });
        await Run("heading+filters-nofacets", rng => new SearchRequest
        {
            Query = Pick(rng, headings),
            PageSize = 10,
            Filters = [new TermsFilter(SearchFields.AccessLevel, ["Secret"], Exclude: true), new YearRangeFilter(2000, 2020)],
        });
        await Run("phrase", rng => new SearchRequest { Query = "\"" + Pick(rng, headings) + "\"", PageSize = 10 });
        await Run("browse", rng => new SearchRequest
        {
            PageSize = 20,
            Sort = SearchSort.DateDescending,
            Filters = [new TermsFilter(SearchFields.Agency, [Agencies[rng.Next(Agencies.Length)]])],
            Facets = [SearchFields.DocumentType, SearchFields.Year],
        }, nextPage: true);

        Console.WriteLine();
        Console.WriteLine($"search-speed: {total} documents in {indexDir}, exact-total-threshold {threshold} — {Table.Machine()}, load average {LoadAverage()}");
        if (!reuse)
        {
            Console.WriteLine(indexTable);
        }

        Console.WriteLine(latency);
        return 0;
    }

    private static async Task<(long Indexed, double Seconds)> IndexAsync(ISearchIndex engine, List<CorpusDoc> corpus, long target, int writers, int batchSize, int maxSeconds)
    {
        var sw = Stopwatch.StartNew();
        long next = 0;
        long indexed = 0;
        long lastReport = 0;
        var gate = new object();
        var docs = Generate(corpus, target).GetEnumerator();
        var deadline = TimeSpan.FromSeconds(maxSeconds);
        try
        {
            var tasks = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
            {
                while (sw.Elapsed < deadline)
                {
                    List<SearchDocument> batch;
                    lock (gate)
                    {
                        batch = [];
                        while (batch.Count < batchSize && docs.MoveNext())
                        {
                            batch.Add(docs.Current);
                            next++;
                        }
                    }

                    if (batch.Count == 0)
                    {
                        return;
                    }

                    await engine.IndexAsync(batch);
                    var done = Interlocked.Add(ref indexed, batch.Count);
                    if (done / 100_000 != Interlocked.Read(ref lastReport) / 100_000)
                    {
                        Interlocked.Exchange(ref lastReport, done);
                        Console.WriteLine($"  {done,9} docs  {sw.Elapsed.TotalSeconds,7:0} s  {done / sw.Elapsed.TotalSeconds,7:0} docs/s");
                    }
                }
            })).ToList();
            await Task.WhenAll(tasks);
        }
        finally
        {
            docs.Dispose();
        }

        return (indexed, sw.Elapsed.TotalSeconds);
    }

    /// <summary>The corpus, then deterministic variants of it, until <paramref name="target"/> documents.</summary>
    internal static IEnumerable<SearchDocument> Generate(List<CorpusDoc> corpus, long target)
    {
        long n = 0;
        for (var replica = 0; n < target; replica++)
        {
            for (var i = 0; i < corpus.Count && n < target; i++, n++)
            {
                var d = corpus[i];
                var rng = new Random(unchecked((replica * 1_000_003) + i));
                var sentences = Sentences().Split(d.Text ?? "").Where(s => s.Length > 0).ToArray();
                if (replica > 0)
                {
                    rng.Shuffle(sentences);
                }

                var access = rng.Next(100) switch { < 2 => AccessLevel.Secret, < 12 => AccessLevel.Conditional, _ => AccessLevel.Public };
                yield return new SearchDocument
                {
                    Id = replica == 0 ? d.Id : d.Id + "~" + replica.ToString(CultureInfo.InvariantCulture),
                    Kind = SearchDocumentKind.Document,
                    Title = replica == 0 ? d.Title : $"{d.Title} (bản {replica})",
                    Text = string.Join(" ", sentences),
                    AgencyId = Agencies[rng.Next(Agencies.Length)],
                    FondsId = "PHONG-" + rng.Next(200).ToString(CultureInfo.InvariantCulture),
                    DocumentType = Types[rng.Next(Types.Length)],
                    Retention = Retentions[rng.Next(Retentions.Length)],
                    AccessLevel = access,
                    Status = Statuses[rng.Next(Statuses.Length)],
                    Date = new DateOnly(1995, 1, 1).AddDays(rng.Next(30 * 365)),
                    Tags = d.LawId is null ? null : new Dictionary<string, string> { ["law"] = d.LawId },
                };
            }
        }
    }

    private static async Task Measure(Table table, ISearchIndex engine, string name, int count, int warmup, Func<SearchRequest> next, bool nextPage = false)
    {
        for (var i = 0; i < warmup; i++)
        {
            await engine.SearchAsync(next());
        }

        var times = new List<double>(count);
        long hits = 0;
        var exact = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < count; i++)
        {
            var request = next();
            var sw = Stopwatch.StartNew();
            var r = await engine.SearchAsync(request);
            if (nextPage && r.NextCursor is not null)
            {
                r = await engine.SearchAsync(request with { Cursor = r.NextCursor });
            }

            times.Add(sw.Elapsed.TotalMilliseconds);
            hits += r.Total;
            exact += r.TotalIsExact ? 1 : 0;
        }

        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count;
        times.Sort();
        double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        table.Add(nextPage ? name + " (2 pages)" : name, count, P(0.50), P(0.95), P(0.99), times.Average(), cpuMs, hits / count, 100.0 * exact / count, LoadAverage().Split(' ')[0]);
        Console.WriteLine($"  {name}: p50 {P(0.50):0.0} ms, p95 {P(0.95):0.0} ms, load {LoadAverage()}");
    }

    /// <summary>The 1/5/15-minute load averages (other work on the machine skews wall-clock figures), where known.</summary>
    internal static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Heading(string? title)
    {
        if (title is null)
        {
            return "";
        }

        var m = HeadingPattern().Match(title);
        return m.Success ? m.Groups[1].Value.Trim() : "";
    }

    private static string Size(string dir)
    {
        var bytes = Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
        return (bytes / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB";
    }

    [GeneratedRegex(@"(?<=[.!?;:])\s+|\n+")]
    private static partial Regex Sentences();

    [GeneratedRegex(@"Điều\s+\d+\w*\.\s*(.+)$")]
    private static partial Regex HeadingPattern();
}
