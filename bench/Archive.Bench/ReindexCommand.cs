using System.Diagnostics;
using Archive.Indexing;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Bench;

/// <summary>Reindex from storage alone (ReindexService): documents per second.</summary>
internal sealed class ReindexCommand : IBenchCommand
{
    public string Name => "reindex";

    public string Description => "docs/s of a full reindex from storage (ReindexService, Lucene rebuild beside the live index and swap)";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                reindex [--count 500] [--docs-per-file 5] [--pdf-kb 50] [--batch 100] [--data DIR] [--keep]

                Seeds --count documents (record files of --docs-per-file documents, each with a ~--pdf-kb KB PDF whose
                text layer is extracted at ingest; --pdf-kb 0 for metadata only) through the engine, not timed — or,
                when --data names a folder that already holds an archive (e.g. kept by `ingest --keep --data DIR`),
                uses it as it is. Then times ReindexService.RunAsync (Restart): every record file's head metadata and
                stored extracted text are read from the package store and a new Lucene index is built beside the
                live one (--batch record files per batch and durable checkpoint), then swapped in.
                docs/s = search documents indexed (one per record file plus one per document) / seconds.
                Full size: reindex --count 20000 --docs-per-file 10
                """);
            return 0;
        }

        var count = args.Int("count", 500);
        var perFile = args.Int("docs-per-file", 5);
        var pdfKb = args.Int("pdf-kb", 50);
        var batch = args.Int("batch", 100);
        var (data, delete) = BenchEngine.DataFolder(args, "reindex", allowExisting: true);
        try
        {
            var reuse = Directory.Exists(Path.Combine(data, "store"));
            if (!reuse)
            {
                var files = (count + perFile - 1) / perFile;
                var pdfs = pdfKb > 0 ? Enumerable.Range(0, 50).Select(i => BenchPdf.Create(new Random(1000 + i), pdfKb * 1024)).ToArray() : [];
                Console.WriteLine($"seeding {files} record files x {perFile} documents{(pdfKb > 0 ? $", PDFs ~{pdfKb} KB" : "")} in {data}, load {BenchEngine.LoadAverage()}");
                var seed = Stopwatch.StartNew();
                await using var seeding = BenchEngine.Open(data);
                await seeding.SeedFilesAsync(files, perFile, (n, d) => pdfs.Length == 0 ? null : ($"van-ban-{d:D3}.pdf", "application/pdf", new MemoryStream(pdfs[((n * perFile) + d) % pdfs.Length], writable: false)), parallel: 2);
                Console.WriteLine($"seeded in {seed.Elapsed.TotalSeconds:0} s");
            }

            await using var engine = BenchEngine.Open(data);
            var reindex = engine.Services.GetRequiredService<ReindexService>();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var status = await reindex.RunAsync(new ReindexRequest { Restart = true, BatchSize = batch });
            var seconds = sw.Elapsed.TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            if (status.State != ReindexState.Completed)
            {
                Console.Error.WriteLine($"reindex ended {status.State}: {status.Error}");
                return 1;
            }

            var table = new Table("operation", "record files", "search documents", "seconds", "docs/s", "record files/s", "process CPU s", "batch");
            table.Add("reindex from storage (rebuild + swap)", status.Processed, status.DocumentsIndexed, BenchEngine.F1(seconds), BenchEngine.F1(status.DocumentsIndexed / seconds), BenchEngine.F1(status.Processed / seconds), BenchEngine.F1(cpuSeconds), batch);
            BenchEngine.PrintHeading("reindex", $"{status.Processed} record files in {data}{(reuse ? " (existing archive)" : "")}");
            Console.WriteLine(table);
            return 0;
        }
        finally
        {
            BenchEngine.Cleanup(data, delete);
        }
    }
}
