using System.Diagnostics;
using System.Text.Json;

namespace Archive.Bench;

/// <summary>Ingest of small records (metadata + a PDF with a Vietnamese text layer) through the engine, against writing the same bytes as plain files.</summary>
internal sealed class IngestCommand : IBenchCommand
{
    public string Name => "ingest";

    public string Description => "docs/s of record ingest (metadata + PDF, text extraction, indexing) vs the same bytes written as files with fsync";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                ingest [--count 200] [--pdf-kb 50] [--docs-per-file 5] [--parallel 2] [--distinct-pdfs 100] [--no-extract] [--data DIR] [--keep]

                Engine phase: record files of --docs-per-file documents are created through RecordFileService
                (CreateAsync, then AddDocumentAsync + AddContentAsync of a PDF per document) by --parallel tasks, on
                the embedded defaults (file-system store, OCFL packages, Lucene index) in DIR (default: a temporary
                folder, deleted unless --keep). Every write is one durable package version plus its index update; each
                PDF's text layer is extracted (PdfPig) and indexed. --count documents in all (rounded up to whole files).
                --no-extract turns text extraction off (ArchiveOptions.ExtractText = false), to see its share.
                PDFs: ~--pdf-kb KB each, --distinct-pdfs different ones generated before timing, used in turn.
                Physical reference, same run: the same metadata (JSON) and PDF bytes written as two files per document
                (fsync each) by --parallel tasks into DIR/physical.
                Full size: ingest --count 10000 --docs-per-file 10
                """);
            return 0;
        }

        var count = args.Int("count", 200);
        var pdfKb = args.Int("pdf-kb", 50);
        var perFile = args.Int("docs-per-file", 5);
        var parallel = args.Int("parallel", 2);
        var distinct = Math.Max(1, args.Int("distinct-pdfs", 100));
        var extract = !args.Has("no-extract");
        var (data, delete) = BenchEngine.DataFolder(args, "ingest");
        var files = (count + perFile - 1) / perFile;
        var docs = files * perFile;

        var pdfs = Enumerable.Range(0, distinct).Select(i => BenchPdf.Create(new Random(1000 + i), pdfKb * 1024)).ToArray();
        var pdfBytes = (long)pdfs.Average(p => p.Length);
        Console.WriteLine($"{files} record files x {perFile} documents, PDFs {pdfBytes / 1024.0:0.0} KB average, data {data}, load {BenchEngine.LoadAverage()}");
        var table = new Table("phase", "documents", "record files", "seconds", "docs/s", "content MB/s", "process CPU s", "vs physical");
        try
        {
            // Engine.
            double engineSeconds;
            string firstCode;
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            await using (var engine = BenchEngine.Open(Path.Combine(data, "engine"), extract))
            {
                await engine.SeedRegistriesAsync();

                // Warm-up (JIT, first index commit): one extra record file, not timed.
                await engine.AddFileAsync(files, perFile, (n, d) => ($"van-ban-{d:D3}.pdf", "application/pdf", new MemoryStream(pdfs[d % distinct], writable: false)));
                cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var codes = await engine.SeedFilesAsync(files, perFile, (n, d) => ("van-ban-" + d.ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + ".pdf", "application/pdf", new MemoryStream(pdfs[((n * perFile) + d) % distinct], writable: false)), parallel);
                engineSeconds = sw.Elapsed.TotalSeconds;
                firstCode = codes[0];

                // The text layer really was extracted and indexed.
                IReadOnlyList<string>? pages = extract ? await engine.Files.GetContentTextAsync(firstCode, 1, "van-ban-001.pdf") : ["(extraction off) Sở Nội vụ"];
                if (pages is null || pages.Count == 0 || !pages[0].Contains("Sở Nội vụ", StringComparison.Ordinal) && !pages[0].Contains("hồ sơ", StringComparison.Ordinal))
                {
                    Console.Error.WriteLine($"text extraction check failed: {(pages is null ? "no text" : pages.Count + " pages, first: " + pages[0][..Math.Min(200, pages[0].Length)])}");
                    return 1;
                }

                Console.WriteLine(extract ? $"check: {firstCode} document 1 has {pages.Count} pages of extracted text ({pages.Sum(p => p.Length)} characters)" : "check skipped: text extraction is off");
            }

            var engineCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;

            // Physical reference: the same bytes as plain files, fsync per file.
            var physical = Path.Combine(data, "physical");
            Directory.CreateDirectory(physical);
            var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw2 = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < files)
                {
                    var rng = new Random(i);
                    var fileJson = JsonSerializer.SerializeToUtf8Bytes(BenchEngine.FileInput(i, rng));
                    await WriteDurableAsync(Path.Combine(physical, $"{i:D6}.json"), fileJson);
                    for (var d = 1; d <= perFile; d++)
                    {
                        var json = JsonSerializer.SerializeToUtf8Bytes(BenchEngine.DocInput(i, d, rng));
                        await WriteDurableAsync(Path.Combine(physical, $"{i:D6}-{d:D3}.json"), json);
                        await WriteDurableAsync(Path.Combine(physical, $"{i:D6}-{d:D3}.pdf"), pdfs[((i * perFile) + d) % distinct]);
                    }
                }
            })));
            var physicalSeconds = sw2.Elapsed.TotalSeconds;
            var physicalCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu1).TotalSeconds;

            var contentBytes = docs * pdfBytes;
            table.Add(extract ? "engine ingest (metadata + PDF, extract, index)" : "engine ingest (metadata + PDF, index; extraction OFF)", docs, files, BenchEngine.F1(engineSeconds), BenchEngine.F1(docs / engineSeconds), BenchEngine.F1(BenchEngine.MBps(contentBytes, engineSeconds)), BenchEngine.F1(engineCpu), BenchEngine.Pct(physicalSeconds / engineSeconds));
            table.Add("physical: same bytes as files, fsync each", docs, files, BenchEngine.F1(physicalSeconds), BenchEngine.F1(docs / physicalSeconds), BenchEngine.F1(BenchEngine.MBps(contentBytes, physicalSeconds)), BenchEngine.F1(physicalCpu), "");
            BenchEngine.PrintHeading("ingest", $"{docs} documents in {files} record files, PDF {pdfBytes / 1024.0:0.0} KB, parallel {parallel}");
            Console.WriteLine(table);
            Console.WriteLine($"target: >= 1000 docs/s — {(docs / engineSeconds >= 1000 ? "met" : "NOT met")} ({docs / engineSeconds:0.0} docs/s)");
            return 0;
        }
        finally
        {
            BenchEngine.Cleanup(data, delete);
        }
    }

    private static async Task WriteDurableAsync(string path, byte[] bytes)
    {
        await using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await fs.WriteAsync(bytes);
        fs.Flush(flushToDisk: true);
    }
}
