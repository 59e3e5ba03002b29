using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Archive.Hosting;
using Archive.Records;

namespace Archive.Bench;

/// <summary>
/// The e-office write path: documents filed one per call by several clients (documents/s acknowledged, latency per
/// call), against the same bytes written as files; and whether the cost of a change grows with the record file.
/// </summary>
internal sealed partial class WritePathCommand : IBenchCommand
{
    /// <summary>Options of every engine of the run (--text-hand-off-mb), or null for the defaults.</summary>
    private static Action<ArchiveOptions>? Configure { get; set; }

    public string Name => "write-path";

    public string Description => "e-office path: documents/s and p95 per call, one document per call; the Nth document of one record file vs the 10th";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                write-path [--docs 2000] [--clients 8] [--docs-per-file 50] [--pdf-kb 50] [--distinct-pdfs 50]
                           [--modes upload,two-calls] [--flat 1000] [--durability fsync|groupsync] [--no-extract]
                           [--rate R|half] [--rate-docs N] [--text-hand-off-mb MB] [--data DIR] [--keep]

                Each mode on a fresh engine on the embedded defaults (DIR/engine-MODE), --clients tasks filing --docs
                documents (a ~--pdf-kb KB PDF with a Vietnamese text layer each) into open record files, a new record
                file every --docs-per-file documents (its creation is timed in the wall clock, not in the per-call
                latencies):
                  upload     RecordFileService.AddDocumentAsync(code, DocumentImport): one call, one version per document
                             (REST: POST /record-files/{code}/documents/upload);
                  two-calls  AddDocumentAsync + AddContentAsync: two calls and two versions per document.
                A call returns when the change is acknowledged (committed); the search projection follows in the
                background: "searchable after ack" is the time from each acknowledgement until that version is
                searchable (WaitSearchableAsync). Physical reference, same run: the same
                metadata (JSON) and PDF bytes written as files, fsync each, by --clients tasks.
                Background projection (#23): the component limit, measured in the same run = cores / (CPU per document
                of the engine's PDF extractor over the same PDFs, one thread + CPU per document of Lucene indexing: the
                first mode's stored record files projected and written to the index again, BatchSize files per commit);
                for every run the projection's busy share of the wall time and its throughput per busy second, from the
                projector's "archive.projection.batch" activities (busy time includes waiting for a core); and the
                projection saturated: ~6 s worth of documents (closed-loop rate) acknowledged while the projector holds
                back (MaxDelay 10 s), then projected with no writer running (documents per second of its batches).
                Open loop (--rate R): --rate-docs documents (default --docs) arrive at R per second whatever the engine
                does, round-robin over --clients open record files (created before the clock starts); --rate half =
                half the component limit, or half the first mode's acknowledged rate when that is lower (the bench
                says which). Reports the acknowledged and searchable rates, latency from arrival to acknowledgement,
                and ack->searchable p50/p95/p99 (and p95 of the first and second half: a growing lag is an overload).
                --text-hand-off-mb sets Archive:Projection:TextHandOffMegabytes (0 = the projection reads every text back).
                Flat cost (--flat N, 0 = skip): one record file gets N documents one by one (upload); CPU seconds of the
                process and bytes it wrote (/proc/self/io write_bytes) per call, averaged over calls 6-15 and N-9..N.
                """);
            return 0;
        }

        var docs = args.Int("docs", 2000);
        var clients = args.Int("clients", 8);
        var perFile = Math.Max(1, args.Int("docs-per-file", 50));
        var pdfKb = args.Int("pdf-kb", 50);
        var distinct = Math.Max(1, args.Int("distinct-pdfs", 50));
        var flat = args.Int("flat", 1000);
        var extract = !args.Has("no-extract");
        Archive.Storage.FileSystem.FileSystemDurability? durability = args.Optional("durability") is { } dur ? Enum.Parse<Archive.Storage.FileSystem.FileSystemDurability>(dur, ignoreCase: true) : null;
        var handOff = args.Optional("text-hand-off-mb") is { } mb ? int.Parse(mb, CultureInfo.InvariantCulture) : (int?)null;
        Configure = handOff is { } h ? o => o.Projection.TextHandOffMegabytes = h : null;
        var rateArg = args.Optional("rate");
        var rateDocs = args.Int("rate-docs", docs);
        if (rateArg is not null && rateArg != "half" && !(double.TryParse(rateArg, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0))
        {
            Console.Error.WriteLine("--rate is documents per second (> 0) or 'half'");
            return 2;
        }

        var modes = (args.Optional("modes") ?? "upload,two-calls").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if ((modes.Length == 0 && rateArg is null) || modes.Any(m => m is not ("upload" or "two-calls")))
        {
            Console.Error.WriteLine("--modes is a comma-separated list of upload, two-calls");
            return 2;
        }

        var (data, delete) = BenchEngine.DataFolder(args, "write-path");
        var pdfs = Enumerable.Range(0, distinct).Select(i => BenchPdf.Create(new Random(2000 + i), pdfKb * 1024)).ToArray();
        var pdfBytes = (long)pdfs.Average(p => p.Length);
        Console.WriteLine($"{docs} documents, {clients} clients, a record file per {perFile} documents, PDFs {pdfBytes / 1024.0:0.0} KB, data {data}, load {BenchEngine.LoadAverage()}");
        var table = new Table("path", "documents", "seconds", "docs/s", "p50 ms", "p95 ms", "p99 ms", "CPU ms/doc", "vs physical", "searchable p50 / p95 ms after ack", "all searchable s after last ack");
        var projection = new Table("run", "docs/s acknowledged", "projection busy (of wall time)", "batches (record files each)", "projected docs per busy second", "texts handed off / read back");
        Components? components = null;
        double? maxAcknowledged = null;
        try
        {
            var physical = await PhysicalAsync(Path.Combine(data, "physical"), docs, clients, pdfs);
            foreach (var mode in modes)
            {
                var run = await FileDocumentsAsync(mode, Path.Combine(data, "engine-" + mode), docs, clients, perFile, pdfs, extract, durability, measure: components is null && extract ? e => MeasureComponentsAsync(e, pdfs, Math.Min(docs, 500)) : null);
                if (run is null)
                {
                    return 1;
                }

                var (seconds, cpu, latencies, lags, drain, busy, measured) = run.Value;
                components ??= measured;
                maxAcknowledged ??= mode == "upload" ? docs / seconds : null;
                projection.Add($"closed loop, {clients} clients, {mode}", BenchEngine.F1(docs / seconds), busy.Busy, busy.Batches, busy.Capacity, busy.Texts);
                table.Add(mode == "upload" ? "engine: AddDocumentAsync with content (1 call/doc)" : "engine: AddDocument + AddContent (2 calls/doc)", docs, BenchEngine.F1(seconds), BenchEngine.F1(docs / seconds),
                    Ms(latencies, 0.50), Ms(latencies, 0.95), Ms(latencies, 0.99), BenchEngine.F1(cpu * 1000 / docs), BenchEngine.Pct(physical.Seconds / seconds),
                    Ms(lags, 0.50) + " / " + Ms(lags, 0.95), BenchEngine.F1(drain));
            }

            if (extract && maxAcknowledged is { } ackRate)
            {
                var burst = Math.Clamp((int)(ackRate * 6), clients, docs);
                if (await SaturatedAsync(Path.Combine(data, "engine-saturated"), burst, clients, pdfs, durability) is { } sat)
                {
                    projection.Add($"saturated: {burst} docs acknowledged first, then projected alone", "", "100 %", $"{sat.Batches} ({sat.Files / (double)sat.Batches:0.0} files)", BenchEngine.F1(sat.DocsPerSecond), sat.Texts);
                }
            }

            RateRun? rated = null;
            string? rateReason = null;
            if (rateArg is not null)
            {
                if (components is null && extract)
                {
                    // No closed-loop run measured the components: measure them on a small engine of their own.
                    components = await ComponentsOnlyAsync(Path.Combine(data, "components"), pdfs, durability);
                }

                double rate;
                if (rateArg == "half")
                {
                    var limit = components?.Limit ?? double.PositiveInfinity;
                    (rate, rateReason) = maxAcknowledged is { } max && max < limit
                        ? (max / 2, $"half the measured maximum acknowledged rate ({max:0.0} docs/s, closed loop), lower than the component limit ({limit:0.0} docs/s)")
                        : (limit / 2, $"half the component limit ({limit:0.0} docs/s)" + (maxAcknowledged is { } m ? $", lower than the measured maximum acknowledged rate ({m:0.0} docs/s)" : ""));
                    if (double.IsInfinity(rate))
                    {
                        Console.Error.WriteLine("--rate half needs the component limit (extraction on) or an upload run");
                        return 2;
                    }
                }
                else
                {
                    rate = double.Parse(rateArg, CultureInfo.InvariantCulture);
                    rateReason = "given";
                }

                Console.WriteLine($"open loop: {rateDocs} documents at {rate:0.0} docs/s ({rateReason})");
                rated = await OpenLoopAsync(Path.Combine(data, "engine-rate"), rateDocs, rate, clients, perFile, pdfs, extract, durability);
                projection.Add($"open loop, {rate:0.0} docs/s arriving", BenchEngine.F1(rated.AckRate), rated.Projection.Busy, rated.Projection.Batches, rated.Projection.Capacity, rated.Projection.Texts);
            }

            table.Add("physical: same bytes as files, fsync each", docs, BenchEngine.F1(physical.Seconds), BenchEngine.F1(docs / physical.Seconds), "", "", "", BenchEngine.F1(physical.Cpu * 1000 / docs), "", "", "");

            Table? flatTable = null;
            if (flat > 15)
            {
                flatTable = await FlatCostAsync(Path.Combine(data, "flat"), flat, pdfs, extract, durability);
            }

            BenchEngine.PrintHeading("write-path", $"{docs} documents, {clients} clients, PDF {pdfBytes / 1024.0:0.0} KB, extraction {(extract ? "on" : "OFF")}, durability {durability?.ToString() ?? "default"}");
            Console.WriteLine(table);
            Console.WriteLine("targets (#23): >= 500 documents/s acknowledged and p95 per call <= 25 ms, one document per call, 8 clients");
            Console.WriteLine();
            if (components is { } c)
            {
                var lim = new Table("component (same PDFs, same index)", "CPU ms/doc", "docs/s on " + c.Cores + " cores");
                lim.Add("text extraction (engine's PDF extractor, 1 thread)", BenchEngine.F1(c.ExtractMs), BenchEngine.F1(c.Cores * 1000 / c.ExtractMs));
                lim.Add("Lucene indexing (projected documents, BatchSize record files per commit)", BenchEngine.F1(c.IndexMs), BenchEngine.F1(c.Cores * 1000 / c.IndexMs));
                lim.Add("component limit = cores / (extraction + indexing)", BenchEngine.F1(c.ExtractMs + c.IndexMs), BenchEngine.F1(c.Limit));
                Console.WriteLine(lim);
            }

            Console.WriteLine(projection);
            if (components is { } c2)
            {
                Console.WriteLine($"target (#23): the background projection sustains >= 80 % of the component limit, i.e. >= {0.8 * c2.Limit:0.0} docs/s (projected docs per busy second above)");
            }

            if (rated is not null)
            {
                Console.WriteLine();
                var rt = new Table("open loop", "docs", "arriving docs/s", "acknowledged docs/s", "searchable docs/s", "call p50 / p95 ms (from arrival)", "ack->searchable p50 / p95 / p99 ms", "p95 1st / 2nd half ms", "CPU ms/doc", "dispatch late max ms");
                rt.Add(rateReason!, rated.Docs, BenchEngine.F1(rated.Rate), BenchEngine.F1(rated.AckRate), BenchEngine.F1(rated.SearchableRate), Ms(rated.Latencies, 0.50) + " / " + Ms(rated.Latencies, 0.95),
                    Ms(rated.Lags, 0.50) + " / " + Ms(rated.Lags, 0.95) + " / " + Ms(rated.Lags, 0.99), BenchEngine.F1(rated.LagP95FirstHalf) + " / " + BenchEngine.F1(rated.LagP95SecondHalf), BenchEngine.F1(rated.CpuMs), BenchEngine.F1(rated.MaxLateMs));
                Console.WriteLine(rt);
                Console.WriteLine($"target (#23): at a steady load of half the component limit, p95 from acknowledgement to searchable <= 2 s: {(Quantile(rated.Lags, 0.95) <= 2000 ? "met" : "NOT met")} at {rated.Rate:0.0} docs/s ({rateReason})");
            }

            if (flatTable is not null)
            {
                Console.WriteLine();
                Console.WriteLine(flatTable);
                Console.WriteLine("target (#23): the 1,000th document added to one record file costs <= 1.5x the 10th (CPU and bytes written)");
            }

            return 0;
        }
        finally
        {
            BenchEngine.Cleanup(data, delete);
        }
    }

    private static string Ms(List<double> sorted, double q) => BenchEngine.F1(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)]);

    private static DocumentImport Filing(int n, int d, byte[] pdf, Random rng) => new()
    {
        Document = BenchEngine.DocInput(n, d, rng),
        Contents = [new ContentUpload { FileName = $"van-ban-{d:D4}.pdf", MediaType = "application/pdf", Content = new MemoryStream(pdf, writable: false) }],
    };

    private static async Task<(double Seconds, double Cpu, List<double> Latencies, List<double> Lags, double Drain, (string Busy, string Capacity, string Batches, string Texts) Projection, Components? Components)?> FileDocumentsAsync(string mode, string path, int docs, int clients, int perFile, byte[][] pdfs, bool extract, Archive.Storage.FileSystem.FileSystemDurability? durability, Func<BenchEngine, Task<Components>>? measure = null)
    {
        await using var engine = BenchEngine.Open(path, extract, durability, Configure);
        await engine.SeedRegistriesAsync();
        await WarmUpAsync(engine, mode, pdfs);

        using var busy = new ProjectionBusy();
        var latencies = new double[docs];
        var lags = new Task<double>[docs];
        var next = -1;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            string? code = null;
            var fileNumber = 0;
            var inFile = 0;
            var rng = new Random(c);
            int i;
            while ((i = Interlocked.Increment(ref next)) < docs)
            {
                if (code is null || inFile == perFile)
                {
                    // A new open record file for this client (numbers spaced by client, so clients never share one).
                    fileNumber = (c * 100_000) + (i / perFile) + 1;
                    code = (await engine.Files.CreateAsync(BenchEngine.FileInput(fileNumber, rng), BenchEngine.User)).Stored.Value.FileCode;
                    inFile = 0;
                }

                inFile++;
                var t = Stopwatch.GetTimestamp();
                var version = await FileOneAsync(engine, mode, code, fileNumber, inFile, pdfs[i % pdfs.Length], rng);
                var acknowledged = Stopwatch.GetTimestamp();
                latencies[i] = Stopwatch.GetElapsedTime(t, acknowledged).TotalMilliseconds;

                // From acknowledgement to searchable (the projection runs in the background).
                var fileCode = code;
                lags[i] = Task.Run(async () =>
                {
                    var state = await engine.Files.WaitSearchableAsync(fileCode, version, RecordFileService.MaxProjectionWait);
                    return state.State == ProjectionState.Searchable ? Stopwatch.GetElapsedTime(acknowledged).TotalMilliseconds : double.PositiveInfinity;
                });
            }
        })));
        var seconds = sw.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        var lagValues = await Task.WhenAll(lags);
        var drain = sw.Elapsed.TotalSeconds - seconds;
        Console.WriteLine($"{mode}: {docs} documents acknowledged in {seconds:0.0} s, all searchable {drain:0.0} s later");
        if (lagValues.Any(double.IsInfinity))
        {
            Console.Error.WriteLine($"{mode}: {lagValues.Count(double.IsInfinity)} changes were not searchable within {RecordFileService.MaxProjectionWait.TotalSeconds} s");
        }

        var projection = Projection(busy, docs, seconds + drain);
        busy.Dispose();
        var components = measure is null ? null : await measure(engine);
        return (seconds, cpu, latencies.Order().ToList(), lagValues.Order().ToList(), drain, projection, components);
    }

    /// <summary>Files one document; returns the version it was acknowledged as.</summary>
    private static async Task<int> FileOneAsync(BenchEngine engine, string mode, string code, int n, int d, byte[] pdf, Random rng)
    {
        if (mode == "upload")
        {
            return (await engine.Files.AddDocumentAsync(code, Filing(n, d, pdf, rng), null, BenchEngine.User)).Stored.Version;
        }

        var added = await engine.Files.AddDocumentAsync(code, BenchEngine.DocInput(n, d, rng), null, BenchEngine.User);
        var ordinal = added.Stored.Value.Documents.Max(x => x.DocOrdinal);
        await using var content = new MemoryStream(pdf, writable: false);
        return (await engine.Files.AddContentAsync(code, ordinal, new ContentUpload { FileName = $"van-ban-{d:D4}.pdf", MediaType = "application/pdf", Content = content }, null, BenchEngine.User)).Stored.Version;
    }

    private static async Task<(double Seconds, double Cpu)> PhysicalAsync(string path, int docs, int clients, byte[][] pdfs)
    {
        Directory.CreateDirectory(path);
        var next = -1;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var rng = new Random(c);
            int i;
            while ((i = Interlocked.Increment(ref next)) < docs)
            {
                await BenchEngine.WriteDurableAsync(Path.Combine(path, $"{i:D6}.json"), JsonSerializer.SerializeToUtf8Bytes(BenchEngine.DocInput(i, 1, rng)));
                await BenchEngine.WriteDurableAsync(Path.Combine(path, $"{i:D6}.pdf"), pdfs[i % pdfs.Length]);
            }
        })));
        return (sw.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
    }

    private static async Task<Table> FlatCostAsync(string path, int count, byte[][] pdfs, bool extract, Archive.Storage.FileSystem.FileSystemDurability? durability)
    {
        await using var engine = BenchEngine.Open(path, extract, durability, Configure);
        await engine.SeedRegistriesAsync();
        var rng = new Random(7);
        var code = (await engine.Files.CreateAsync(BenchEngine.FileInput(1, rng), BenchEngine.User)).Stored.Value.FileCode;
        var cpu = new double[count + 1];
        var written = new long[count + 1];
        var wall = new double[count + 1];
        var process = Process.GetCurrentProcess();
        for (var d = 1; d <= count; d++)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            var w0 = WriteBytes();
            var t = Stopwatch.GetTimestamp();
            _ = await engine.Files.AddDocumentAsync(code, Filing(1, d, pdfs[d % pdfs.Length], rng), null, BenchEngine.User);
            wall[d] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            process.Refresh();
            cpu[d] = (process.TotalProcessorTime - c0).TotalMilliseconds;
            written[d] = WriteBytes() - w0;
            if (d % 250 == 0)
            {
                Console.WriteLine($"  flat: {d}/{count} documents in one record file");
            }
        }

        var inventory = Directory.EnumerateFiles(Path.Combine(path, "store"), "inventory.json", SearchOption.AllDirectories).Max(f => new FileInfo(f).Length);
        var table = new Table("calls into one record file", "wall ms/call", "CPU ms/call", "KB written/call");
        (double Wall, double Cpu, double Kb) Window(int from, int to)
        {
            var range = Enumerable.Range(from, to - from + 1).ToList();
            return (range.Average(i => wall[i]), range.Average(i => cpu[i]), range.Average(i => written[i]) / 1024.0);
        }

        var early = Window(6, 15);
        var late = Window(count - 9, count);
        table.Add("documents 6-15 (the 10th)", BenchEngine.F1(early.Wall), BenchEngine.F1(early.Cpu), BenchEngine.F1(early.Kb));
        table.Add($"documents {count - 9}-{count} (the {count.ToString("N0", CultureInfo.InvariantCulture)}th)", BenchEngine.F1(late.Wall), BenchEngine.F1(late.Cpu), BenchEngine.F1(late.Kb));
        table.Add("ratio", BenchEngine.F1(late.Wall / early.Wall) + "x", BenchEngine.F1(late.Cpu / early.Cpu) + "x", BenchEngine.F1(late.Kb / early.Kb) + "x");
        table.Add($"largest inventory.json at the end: {inventory / 1024.0:0} KB", "", "", "");
        return table;
    }

    /// <summary>Bytes this process caused to be written to storage (<c>/proc/self/io</c> write_bytes; 0 where not available).</summary>
    private static long WriteBytes()
    {
        const string path = "/proc/self/io";
        if (!File.Exists(path))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan("write_bytes:".Length).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
