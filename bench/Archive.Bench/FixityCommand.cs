using System.Diagnostics;
using System.Globalization;
using Archive.Records;

namespace Archive.Bench;

/// <summary>Content ingest and fixity audit MB/s of the engine against sha256sum on the same files.</summary>
internal sealed class FixityCommand : IBenchCommand
{
    public string Name => "fixity";

    public string Description => "MB/s of content ingest (AddContentAsync) and fixity audit (VerifyAsync) vs sha256sum on the same files";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                fixity [--files 10] [--size 10] [--parallel 1] [--data DIR] [--keep]

                Writes --files source files of --size MB (10^6 bytes, pseudo-random, incompressible) into DIR/source,
                creates one record file with one document per source file (not timed), then times:
                  engine ingest   AddContentAsync of each source file (stream read, SHA-256, write, fsync, commit
                                  of a package version, index update), --parallel tasks
                  sha256sum       `sha256sum` over the same source files (one process, sequential)
                  engine verify   RecordFileService.VerifyAsync of each record file (re-hashes every stored file of
                                  the package: content + metadata), --parallel tasks
                  sha256sum       `sha256sum` over the stored content files in the object store
                CPU s = CPU time of the engine process during the phase (all threads), or of the sha256sum process;
                MB per CPU s compares the work done independently of how much of the machine each process got.
                All files stay in the page cache between phases (23 GiB RAM): the figures compare CPU + write paths, not
                the disk. ratio = engine MB/s / sha256sum MB/s (target >= 80 %).
                Full size: fixity --files 20 --size 100
                """);
            return 0;
        }

        var count = args.Int("files", 10);
        var sizeMb = args.Int("size", 10);
        var parallel = args.Int("parallel", 1);
        var size = sizeMb * 1_000_000L;
        var (data, delete) = BenchEngine.DataFolder(args, "fixity");
        try
        {
            var source = Path.Combine(data, "source");
            Directory.CreateDirectory(source);
            var buffer = new byte[1 << 20];
            var sources = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var path = Path.Combine(source, $"noi-dung-{i:D4}.bin");
                var rng = new Random(i);
                await using (var fs = File.Create(path))
                {
                    for (long left = size; left > 0; left -= buffer.Length)
                    {
                        rng.NextBytes(buffer);
                        await fs.WriteAsync(buffer.AsMemory(0, (int)Math.Min(left, buffer.Length)));
                    }
                }

                sources.Add(path);
            }

            var total = count * size;
            var table = new Table("operation", "files", "MB", "seconds", "MB/s", "ratio", "target", "CPU s", "MB per CPU s");
            double ingestSeconds, verifySeconds, ingestCpu, verifyCpu;
            var engineRoot = Path.Combine(data, "engine");
            await using (var engine = BenchEngine.Open(engineRoot))
            {
                var codes = await engine.SeedFilesAsync(count, 1, (_, _) => null, parallel: 2);
                var versions = new int[count];
                for (var i = 0; i < count; i++)
                {
                    versions[i] = (await engine.Files.GetAsync(codes[i]))!.Version;
                }

                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                await ForEachAsync(count, parallel, async i =>
                {
                    await using var fs = new FileStream(sources[i], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    await engine.Files.AddContentAsync(codes[i], 1, new ContentUpload { FileName = Path.GetFileName(sources[i]), MediaType = "application/octet-stream", Content = fs }, versions[i], BenchEngine.User);
                });
                ingestSeconds = sw.Elapsed.TotalSeconds;
                ingestCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;

                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                sw.Restart();
                long verified = 0;
                await ForEachAsync(count, parallel, async i =>
                {
                    var report = await engine.Files.VerifyAsync(codes[i]);
                    if (!report.IsValid)
                    {
                        throw new InvalidOperationException($"fixity problems in {codes[i]}: {string.Join("; ", report.Problems)}");
                    }

                    Interlocked.Add(ref verified, report.BytesChecked);
                });
                verifySeconds = sw.Elapsed.TotalSeconds;
                verifyCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                Console.WriteLine($"verified {verified} bytes in {count} packages (content + metadata), all valid");
            }

            var (shaSourceSeconds, _, shaSourceCpu) = await BenchEngine.ShellAsync("sha256sum " + string.Join(' ', sources.Select(BenchEngine.Quote)) + " > /dev/null");
            var stored = new DirectoryInfo(Path.Combine(engineRoot, "store")).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.Length == size).Select(f => f.FullName).ToList();
            if (stored.Count != count)
            {
                Console.Error.WriteLine($"expected {count} stored content files of {size} bytes, found {stored.Count}");
                return 1;
            }

            var list = Path.Combine(data, "stored.list");
            await File.WriteAllTextAsync(list, string.Join('\0', stored) + "\0");
            var (shaStoredSeconds, _, shaStoredCpu) = await BenchEngine.ShellAsync($"xargs -0 sha256sum < {BenchEngine.Quote(list)} > /dev/null");

            var ingestRatio = shaSourceSeconds / ingestSeconds;
            var verifyRatio = shaStoredSeconds / verifySeconds;
            var mb = (total / 1e6).ToString("0", CultureInfo.InvariantCulture);
            table.Add("engine content ingest (AddContentAsync)", count, mb, BenchEngine.F1(ingestSeconds), BenchEngine.F1(BenchEngine.MBps(total, ingestSeconds)), BenchEngine.Pct(ingestRatio), ingestRatio >= 0.8 ? ">= 80 % met" : ">= 80 % NOT met", BenchEngine.F1(ingestCpu), BenchEngine.F1(total / 1e6 / ingestCpu));
            table.Add("sha256sum, source files", count, mb, BenchEngine.F1(shaSourceSeconds), BenchEngine.F1(BenchEngine.MBps(total, shaSourceSeconds)), "", "", BenchEngine.F1(shaSourceCpu), BenchEngine.F1(total / 1e6 / shaSourceCpu));
            table.Add("engine fixity audit (VerifyAsync)", count, mb, BenchEngine.F1(verifySeconds), BenchEngine.F1(BenchEngine.MBps(total, verifySeconds)), BenchEngine.Pct(verifyRatio), verifyRatio >= 0.8 ? ">= 80 % met" : ">= 80 % NOT met", BenchEngine.F1(verifyCpu), BenchEngine.F1(total / 1e6 / verifyCpu));
            table.Add("sha256sum, stored content files", count, mb, BenchEngine.F1(shaStoredSeconds), BenchEngine.F1(BenchEngine.MBps(total, shaStoredSeconds)), "", "", BenchEngine.F1(shaStoredCpu), BenchEngine.F1(total / 1e6 / shaStoredCpu));
            BenchEngine.PrintHeading("fixity", $"{count} files x {sizeMb} MB, parallel {parallel}");
            Console.WriteLine(table);
            return 0;
        }
        finally
        {
            BenchEngine.Cleanup(data, delete);
        }
    }

    private static Task ForEachAsync(int count, int parallel, Func<int, Task> body)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await body(i);
            }
        })));
    }
}
