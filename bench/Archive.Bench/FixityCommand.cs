using System.Diagnostics;
using System.Globalization;
using Archive.Records;

namespace Archive.Bench;

/// <summary>Content ingest and fixity audit MB/s of the engine against OpenSSL (SHA-NI) on the same files, in the same run.</summary>
internal sealed class FixityCommand : IBenchCommand
{
    public string Name => "fixity";

    public string Description => "MB/s of content ingest (AddContentAsync) vs `tee | openssl dgst -sha256` + fsync, fixity audit (VerifyAsync) vs `openssl dgst -sha256`, same files";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Has("help"))
        {
            Console.WriteLine("""
                fixity [--files 10] [--size 10] [--parallel 1] [--warmup 2] [--data DIR] [--keep]

                Writes --files source files of --size MB (10^6 bytes, pseudo-random, incompressible) into DIR/source,
                creates one record file with one document per source file (not timed), ingests a file one byte
                shorter into each of --warmup further record files (not timed: a running server has compiled its
                ingest path, and a short run would otherwise time the tiered JIT; --warmup 0 to include it), then times:
                  engine ingest   AddContentAsync of each source file (stream read, SHA-256, write, fsync, commit
                                  of a package version, index update), --parallel tasks
                  reference       per source file, sequentially: `tee OUT < FILE | openssl dgst -sha256`, then
                                  `sync OUT` (fsync), OUT in DIR/reference (same file system as the store)
                  engine verify   RecordFileService.VerifyAsync of each record file (re-hashes every stored file of
                                  the package: content + metadata), --parallel tasks
                  reference       `openssl dgst -sha256` over the stored content files in the object store (one
                                  process, sequential)
                OpenSSL uses the CPU's SHA extensions (SHA-NI) where present: about 4x coreutils `sha256sum`, which
                the earlier figures compared with. CPU s = CPU time of the engine process during the phase (all
                threads), or of the reference's processes; MB per CPU s compares the work done independently of how
                much of the machine each process got. All files stay in the page cache between phases (23 GiB RAM):
                the figures compare CPU + write paths, not the disk. ratio = engine MB/s / reference MB/s; targets
                (issue #23): ingest >= 80 %, fixity audit >= 80 %.
                Full size: fixity --files 20 --size 100
                """);
            return 0;
        }

        var count = args.Int("files", 10);
        var sizeMb = args.Int("size", 10);
        var parallel = args.Int("parallel", 1);
        var warmup = Math.Max(0, args.Int("warmup", 2));
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

            var warmSource = Path.Combine(data, "khoi-dong.bin");
            await using (var fs = File.Create(warmSource))
            {
                var rng = new Random(-1);
                for (long left = Math.Max(1, size - 1); left > 0; left -= buffer.Length)
                {
                    rng.NextBytes(buffer);
                    await fs.WriteAsync(buffer.AsMemory(0, (int)Math.Min(left, buffer.Length)));
                }
            }

            var total = count * size;
            var table = new Table("operation", "files", "MB", "seconds", "MB/s", "ratio", "target", "CPU s", "MB per CPU s");
            double ingestSeconds, verifySeconds, ingestCpu, verifyCpu;
            var engineRoot = Path.Combine(data, "engine");
            await using (var engine = BenchEngine.Open(engineRoot))
            {
                var codes = await engine.SeedFilesAsync(count + warmup, 1, (_, _) => null, parallel: 2);
                var versions = new int[count + warmup];
                for (var i = 0; i < count + warmup; i++)
                {
                    versions[i] = (await engine.Files.GetAsync(codes[i]))!.Version;
                }

                for (var w = 0; w < warmup; w++)
                {
                    // Untimed: the same path on other record files, so the timed run measures compiled code. One byte
                    // shorter than the timed files, so the audit reference below picks out the timed ones by size.
                    await using var fs = new FileStream(warmSource, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    await engine.Files.AddContentAsync(codes[count + w], 1, new ContentUpload { FileName = "khoi-dong.bin", MediaType = "application/octet-stream", Content = fs }, versions[count + w], BenchEngine.User);
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

            // Reference for ingest: the same bytes read, written (fsync) and hashed once, by OpenSSL.
            var reference = Path.Combine(data, "reference");
            Directory.CreateDirectory(reference);
            var teeScript = string.Join("; ", sources.Select(f =>
            {
                var output = BenchEngine.Quote(Path.Combine(reference, Path.GetFileName(f)));
                return $"tee {output} < {BenchEngine.Quote(f)} | openssl dgst -sha256 > /dev/null && sync {output}";
            }));
            var (teeSeconds, _, teeCpu) = await BenchEngine.ShellAsync(teeScript);
            Directory.Delete(reference, recursive: true);

            var stored = new DirectoryInfo(Path.Combine(engineRoot, "store")).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.Length == size).Select(f => f.FullName).ToList();
            if (stored.Count != count)
            {
                Console.Error.WriteLine($"expected {count} stored content files of {size} bytes, found {stored.Count}");
                return 1;
            }

            var list = Path.Combine(data, "stored.list");
            await File.WriteAllTextAsync(list, string.Join('\0', stored) + "\0");
            var (dgstSeconds, _, dgstCpu) = await BenchEngine.ShellAsync($"xargs -0 openssl dgst -sha256 < {BenchEngine.Quote(list)} > /dev/null");

            var ingestRatio = teeSeconds / ingestSeconds;
            var verifyRatio = dgstSeconds / verifySeconds;
            var mb = (total / 1e6).ToString("0", CultureInfo.InvariantCulture);
            table.Add("engine content ingest (AddContentAsync)", count, mb, BenchEngine.F1(ingestSeconds), BenchEngine.F1(BenchEngine.MBps(total, ingestSeconds)), BenchEngine.Pct(ingestRatio), Target(ingestRatio, 0.8), BenchEngine.F1(ingestCpu), BenchEngine.F1(total / 1e6 / ingestCpu));
            table.Add("  reference: tee \\| openssl dgst -sha256, + fsync", count, mb, BenchEngine.F1(teeSeconds), BenchEngine.F1(BenchEngine.MBps(total, teeSeconds)), "100 %", "", BenchEngine.F1(teeCpu), BenchEngine.F1(total / 1e6 / teeCpu));
            table.Add("engine fixity audit (VerifyAsync)", count, mb, BenchEngine.F1(verifySeconds), BenchEngine.F1(BenchEngine.MBps(total, verifySeconds)), BenchEngine.Pct(verifyRatio), Target(verifyRatio, 0.8), BenchEngine.F1(verifyCpu), BenchEngine.F1(total / 1e6 / verifyCpu));
            table.Add("  reference: openssl dgst -sha256, stored files", count, mb, BenchEngine.F1(dgstSeconds), BenchEngine.F1(BenchEngine.MBps(total, dgstSeconds)), "100 %", "", BenchEngine.F1(dgstCpu), BenchEngine.F1(total / 1e6 / dgstCpu));
            BenchEngine.PrintHeading("fixity", $"{count} files x {sizeMb} MB, parallel {parallel}");
            Console.WriteLine(table);
            return 0;
        }
        finally
        {
            BenchEngine.Cleanup(data, delete);
        }
    }

    /// <summary>The target column: "&gt;= 80 % met" or "... NOT met".</summary>
    internal static string Target(double ratio, double target)
        => $">= {BenchEngine.Pct(target)} {(ratio >= target ? "met" : "NOT met")}";

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
