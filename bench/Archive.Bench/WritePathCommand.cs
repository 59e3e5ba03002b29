using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Archive.Records;

namespace Archive.Bench;

/// <summary>
/// The e-office write path: documents filed one per call by several clients (documents/s acknowledged, latency per
/// call), against the same bytes written as files; and whether the cost of a change grows with the record file.
/// </summary>
internal sealed class WritePathCommand : IBenchCommand
{
    public string Name => "write-path";

    public string Description => "e-office path: documents/s and p95 per call, one document per call; the Nth document of one record file vs the 10th";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                write-path [--docs 2000] [--clients 8] [--docs-per-file 50] [--pdf-kb 50] [--distinct-pdfs 50]
                           [--modes upload,two-calls] [--flat 1000] [--durability fsync|groupsync] [--no-extract]
                           [--data DIR] [--keep]

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
        var modes = (args.Optional("modes") ?? "upload,two-calls").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (modes.Length == 0 || modes.Any(m => m is not ("upload" or "two-calls")))
        {
            Console.Error.WriteLine("--modes is a comma-separated list of upload, two-calls");
            return 2;
        }

        var (data, delete) = BenchEngine.DataFolder(args, "write-path");
        var pdfs = Enumerable.Range(0, distinct).Select(i => BenchPdf.Create(new Random(2000 + i), pdfKb * 1024)).ToArray();
        var pdfBytes = (long)pdfs.Average(p => p.Length);
        Console.WriteLine($"{docs} documents, {clients} clients, a record file per {perFile} documents, PDFs {pdfBytes / 1024.0:0.0} KB, data {data}, load {BenchEngine.LoadAverage()}");
        var table = new Table("path", "documents", "seconds", "docs/s", "p50 ms", "p95 ms", "p99 ms", "CPU ms/doc", "vs physical", "searchable p50 / p95 ms after ack", "all searchable s after last ack");
        try
        {
            var physical = await PhysicalAsync(Path.Combine(data, "physical"), docs, clients, pdfs);
            foreach (var mode in modes)
            {
                var run = await FileDocumentsAsync(mode, Path.Combine(data, "engine-" + mode), docs, clients, perFile, pdfs, extract, durability);
                if (run is null)
                {
                    return 1;
                }

                var (seconds, cpu, latencies, lags, drain) = run.Value;
                table.Add(mode == "upload" ? "engine: AddDocumentAsync with content (1 call/doc)" : "engine: AddDocument + AddContent (2 calls/doc)", docs, BenchEngine.F1(seconds), BenchEngine.F1(docs / seconds),
                    Ms(latencies, 0.50), Ms(latencies, 0.95), Ms(latencies, 0.99), BenchEngine.F1(cpu * 1000 / docs), BenchEngine.Pct(physical.Seconds / seconds),
                    Ms(lags, 0.50) + " / " + Ms(lags, 0.95), BenchEngine.F1(drain));
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

    private static async Task<(double Seconds, double Cpu, List<double> Latencies, List<double> Lags, double Drain)?> FileDocumentsAsync(string mode, string path, int docs, int clients, int perFile, byte[][] pdfs, bool extract, Archive.Storage.FileSystem.FileSystemDurability? durability)
    {
        await using var engine = BenchEngine.Open(path, extract, durability);
        await engine.SeedRegistriesAsync();

        // Warm-up (JIT), not timed: record files beyond the measured range.
        for (var w = 0; w < 2; w++)
        {
            var rng = new Random(-1 - w);
            var code = (await engine.Files.CreateAsync(BenchEngine.FileInput(900_000 + w, rng), BenchEngine.User)).Stored.Value.FileCode;
            for (var d = 1; d <= 20; d++)
            {
                await FileOneAsync(engine, mode, code, 900_000 + w, d, pdfs[d % pdfs.Length], rng);
            }
        }

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

        return (seconds, cpu, latencies.Order().ToList(), lagValues.Order().ToList(), drain);
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
        await using var engine = BenchEngine.Open(path, extract, durability);
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
