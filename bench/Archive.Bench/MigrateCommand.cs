using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Archive.Migration;
using Archive.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Bench;

/// <summary>
/// Bulk migration of a generated e-office export (issue #19 item 2) against the bulk-import path it builds on
/// (<c>ingest --modes batch</c>: <see cref="RecordFileService.ImportBatchAsync"/> from memory), in the same run.
/// </summary>
internal sealed class MigrateCommand : IBenchCommand
{
    public string Name => "migrate";

    public string Description => "docs/s of MigrationService on a generated export folder (manifest.csv + PDFs) vs ImportBatchAsync of the same documents";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                migrate [--count 2000] [--docs-per-file 5] [--pdf-kb 50] [--distinct-pdfs 50] [--batch 32] [--parallel 8]
                        [--no-extract] [--data DIR] [--keep]

                Generates an export folder in DIR/export: --count documents (rounded up to whole record files of
                --docs-per-file), one PDF of ~--pdf-kb KB each (--distinct-pdfs different ones, written once per
                document), and manifest.csv listing them with their SHA-256, document-major (the rows of a record file
                are NOT contiguous, so the external sort groups them). Then, each on a fresh engine on the embedded
                defaults (after a small untimed warm-up of both):
                  batch     RecordFileService.ImportBatchAsync, --batch record files per call, contents from memory
                            (the ingest --modes batch path);
                  migrate   MigrationService.CreateLocalAsync + RunAsync on the folder (Archive:Migration:BatchSize
                            = --batch, MaxParallelism = --parallel): manifest read, sorted, every content read and
                            verified from disk, a checkpoint per batch.
                Prints docs/s of both, the ratio, the process's peak RSS (VmHWM) after each phase and the load average.
                """);
            return 0;
        }

        var count = args.Int("count", 2000);
        var perFile = Math.Max(1, args.Int("docs-per-file", 5));
        var pdfKb = args.Int("pdf-kb", 50);
        var distinct = Math.Max(1, args.Int("distinct-pdfs", 50));
        var batch = Math.Max(1, args.Int("batch", 32));
        var parallel = Math.Max(1, args.Int("parallel", 8));
        var extract = !args.Has("no-extract");
        var files = (count + perFile - 1) / perFile;
        var docs = files * perFile;
        var (data, delete) = BenchEngine.DataFolder(args, "migrate");
        try
        {
            var pdfs = Enumerable.Range(0, distinct).Select(i => BenchPdf.Create(new Random(2000 + i), pdfKb * 1024)).ToArray();
            var export = Path.Combine(data, "export");
            var sw = Stopwatch.StartNew();
            WriteExport(export, files, perFile, pdfs);
            Console.WriteLine($"export: {files} record files x {perFile} documents, PDFs {pdfs.Average(p => p.Length) / 1024.0:0.0} KB, written in {sw.Elapsed.TotalSeconds:0.0} s; load {BenchEngine.LoadAverage()}");

            // Warm-up of both paths (JIT), not timed.
            var warmExport = Path.Combine(data, "warm-export");
            WriteExport(warmExport, Math.Min(files, 20), perFile, pdfs);
            await BatchAsync(Path.Combine(data, "warm-batch"), Math.Min(files, 20), perFile, pdfs, batch, parallel, extract);
            await MigrateAsync(Path.Combine(data, "warm-migrate"), warmExport, batch, parallel, extract);

            GC.Collect();
            var batchSeconds = await BatchAsync(Path.Combine(data, "engine-batch"), files, perFile, pdfs, batch, parallel, extract);
            var batchRss = BenchEngine.ProcStatusKb("VmHWM");
            GC.Collect();
            var (migrateSeconds, job) = await MigrateAsync(Path.Combine(data, "engine-migrate"), export, batch, parallel, extract);
            var migrateRss = BenchEngine.ProcStatusKb("VmHWM");
            if (job.State != MigrationJobState.Completed || job.Progress.DocumentsImported != docs || job.Progress.RowsFailed != 0)
            {
                Console.Error.WriteLine($"migration did not import everything: {job.State}, {job.Progress.DocumentsImported}/{docs} documents, {job.Progress.RowsFailed} rows reported, {job.Error}");
                return 1;
            }

            var table = new Table("path", "documents", "record files", "seconds", "docs/s", "vs batch", "peak RSS MB (process, so far)");
            table.Add($"ImportBatchAsync ({batch} files/call, from memory)", docs, files, BenchEngine.F1(batchSeconds), BenchEngine.F1(docs / batchSeconds), "100 %", (batchRss / 1024).ToString(CultureInfo.InvariantCulture));
            table.Add($"MigrationService (folder, manifest.csv, batch {batch})", docs, files, BenchEngine.F1(migrateSeconds), BenchEngine.F1(docs / migrateSeconds), BenchEngine.Pct(batchSeconds / migrateSeconds), (migrateRss / 1024).ToString(CultureInfo.InvariantCulture));
            BenchEngine.PrintHeading("migrate", $"{docs} documents in {files} record files, parallel {parallel}, extraction {(extract ? "on" : "off")}, load {BenchEngine.LoadAverage()}");
            Console.WriteLine(table);
            return 0;
        }
        finally
        {
            BenchEngine.Cleanup(data, delete);
        }
    }

    private static string Code(int n) => $"{BenchEngine.AgencyId}.{2000 + (n % 25)}.{n:D6}.BENCH";

    /// <summary>The export: content files and a manifest, document-major so a record file's rows are far apart.</summary>
    private static void WriteExport(string folder, int files, int perFile, byte[][] pdfs)
    {
        Directory.CreateDirectory(folder);
        var shas = pdfs.Select(p => Convert.ToHexStringLower(SHA256.HashData(p))).ToArray();
        using var manifest = new StreamWriter(Path.Combine(folder, "manifest.csv"), false, new UTF8Encoding(false));
        manifest.WriteLine("fileCode,fondsCode,fileCatalog,fileNotation,title,maintenance,startDate,endDate,docOrdinal,typeName,codeNumber,codeNotation,issuedDate,organName,subject,pageAmount,contentPath,sha256,mediaType");
        for (var d = 1; d <= perFile; d++)
        {
            for (var n = 0; n < files; n++)
            {
                var rng = new Random(n);
                var file = BenchEngine.FileInput(n, rng);
                var doc = BenchEngine.DocInput(n, d, new Random((n * 1000) + d));
                var p = ((n * perFile) + d) % pdfs.Length;
                var path = $"{n / 1000:D3}/{n:D6}/van-ban-{d:D3}.pdf";
                var full = Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllBytes(full, pdfs[p]);
                manifest.WriteLine(string.Join(',',
                    Code(n), file.FondsCode, file.FileCatalog.ToString(CultureInfo.InvariantCulture), file.FileNotation, Csv(file.Title), file.Maintenance!.Value.ToString(),
                    file.StartDate!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), file.EndDate!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    d.ToString(CultureInfo.InvariantCulture), Csv(doc.TypeName), doc.CodeNumber, doc.CodeNotation, doc.IssuedDate!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    Csv(doc.OrganName), Csv(doc.Subject), "5", path, shas[p], "application/pdf"));
            }
        }
    }

    private static string Csv(string? s) => s is null ? string.Empty : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The same record files through ImportBatchAsync from memory.</summary>
    private static async Task<double> BatchAsync(string path, int files, int perFile, byte[][] pdfs, int batch, int parallel, bool extract)
    {
        await using var engine = BenchEngine.Open(path, extract);
        await engine.SeedRegistriesAsync();
        RecordFileImport Import(int n) => new()
        {
            File = BenchEngine.FileInput(n, new Random(n)),
            Documents = Enumerable.Range(1, perFile).Select(d => new DocumentImport
            {
                Document = BenchEngine.DocInput(n, d, new Random((n * 1000) + d)) with { DocOrdinal = d },
                Contents = [new ContentUpload { FileName = $"van-ban-{d:D3}.pdf", MediaType = "application/pdf", Content = new MemoryStream(pdfs[((n * perFile) + d) % pdfs.Length], writable: false) }],
            }).ToList(),
        };
        var sw = Stopwatch.StartNew();
        for (var start = 0; start < files; start += batch)
        {
            var outcomes = await engine.Files.ImportBatchAsync(Enumerable.Range(start, Math.Min(batch, files - start)).Select(Import).ToList(), BenchEngine.User, parallel);
            if (outcomes.FirstOrDefault(o => o.Error is not null) is { } bad)
            {
                throw new InvalidOperationException($"batch import failed at {start + bad.Index}: {bad.Error!.Message}");
            }
        }

        var seconds = sw.Elapsed.TotalSeconds;
        await engine.Files.WaitForProjectionAsync(RecordFileService.MaxProjectionWait);
        return seconds;
    }

    private static async Task<(double Seconds, MigrationJob Job)> MigrateAsync(string path, string export, int batch, int parallel, bool extract)
    {
        await using var engine = BenchEngine.Open(path, extract);
        await engine.SeedRegistriesAsync();
        engine.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MigrationOptions>>().Value.BatchSize = batch;
        engine.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MigrationOptions>>().Value.MaxParallelism = parallel;
        var migrations = engine.Services.GetRequiredService<MigrationService>();
        var sw = Stopwatch.StartNew();
        var job = await migrations.CreateLocalAsync(export, BenchEngine.User);
        job = await migrations.RunAsync(job.Id);
        var seconds = sw.Elapsed.TotalSeconds;
        await engine.Files.WaitForProjectionAsync(RecordFileService.MaxProjectionWait);
        return (seconds, job);
    }
}
