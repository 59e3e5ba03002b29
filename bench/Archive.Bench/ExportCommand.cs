using System.Diagnostics;
using System.Globalization;
using Archive.Handover;
using Archive.Records;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Bench;

/// <summary>Handover package export (BagIt tar) MB/s against <c>tar cf - | tee out.tar | openssl dgst -sha256</c> + fsync, and the exporting process's peak RSS.</summary>
internal sealed class ExportCommand : IBenchCommand
{
    public string Name => "export";

    public string Description => "handover export to tar: MB/s vs `tar cf - DIR | tee out.tar | openssl dgst -sha256` + fsync, peak RSS of the exporting process";

    public async Task<int> RunAsync(BenchArgs args)
    {
        if (args.Optional("child") is { } childData)
        {
            return await ChildAsync(childData, args.Required("tar"));
        }

        if (args.Has("help"))
        {
            Console.WriteLine("""
                export [--size-mb 200] [--files 20] [--data DIR] [--keep]

                Seeds one fonds with --files record files of one document each whose content totals --size-mb MB
                (10^6 bytes; pseudo-random, incompressible, streamed into AddContentAsync; not timed). Then, in a
                separate child process (this program with --child), HandoverService.ExportToTarAsync writes the
                BagIt handover package as a tar: each stored file is streamed from the package store into the tar
                (size from the package inventory, SHA-256 checked against it while read), then catalogue, documents,
                manifests and seal; the tar is fsynced and renamed. The child reports the seconds spent in the export
                call and its own peak resident set (VmHWM of /proc/self/status: everything the process ever held
                resident — runtime, JIT, engine, export buffers); the parent also samples the child's VmRSS every
                20 ms. Reference, same run: `tar cf - -C DIR/store . | tee REF.tar | openssl dgst -sha256`, then
                `sync REF.tar` (the object store read once, written once with fsync, hashed once by OpenSSL with
                SHA-NI). MB/s = payload MB / seconds for both; CPU s = CPU time of the export call in the child (all
                threads), or of the reference's processes. ratio = export MB/s / reference MB/s; targets (issue #23):
                ratio >= 70 %, peak RSS <= 200 MB for a 5 GB package.
                Needs about 2.2 x size of free disk (store, tar, reference tar); refuses to start otherwise.
                Full size (issue target: RSS <= 200 MB for a 5 GB package): export --size-mb 5000 --files 50
                """);
            return 0;
        }

        var sizeMb = args.Long("size-mb", 200);
        var files = args.Int("files", 20);
        var total = sizeMb * 1_000_000L;
        var per = total / files;
        var (data, delete) = BenchEngine.DataFolder(args, "export");
        Directory.CreateDirectory(data);
        var free = new DriveInfo(data).AvailableFreeSpace;
        if (free < total * 2.2)
        {
            Console.Error.WriteLine($"not enough free disk in {data}: {free / 1e9:0.0} GB free, need about {total * 2.2 / 1e9:0.0} GB");
            BenchEngine.Cleanup(data, delete);
            return 2;
        }

        try
        {
            Console.WriteLine($"seeding {files} record files x {per / 1e6:0.0} MB in {data} (free disk {free / 1e9:0.0} GB), load {BenchEngine.LoadAverage()}");
            var seed = Stopwatch.StartNew();
            await using (var engine = BenchEngine.Open(data))
            {
                await engine.SeedFilesAsync(files, 1, (n, _) => ($"ban-scan-{n:D4}.bin", "application/octet-stream", new PatternStream(per, n)), parallel: 2);
            }

            Console.WriteLine($"seeded in {seed.Elapsed.TotalSeconds:0} s; store {BenchEngine.FolderBytes(Path.Combine(data, "store")) / 1e6:0} MB");

            // Export in a child process, so its peak RSS is the export's alone.
            var tar = Path.Combine(data, "out", "ban-giao.tar");
            Directory.CreateDirectory(Path.GetDirectoryName(tar)!);
            var (exe, prefix) = SelfCommand();
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in prefix.Concat(["export", "--child", data, "--tar", tar]))
            {
                psi.ArgumentList.Add(a);
            }

            var wall = Stopwatch.StartNew();
            using var child = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the export child");
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            long sampledPeakKb = 0;
            while (!child.HasExited)
            {
                sampledPeakKb = Math.Max(sampledPeakKb, BenchEngine.ProcStatusKb("VmRSS", child.Id));
                await Task.WhenAny(child.WaitForExitAsync(), Task.Delay(20));
            }

            await child.WaitForExitAsync();
            var wallSeconds = wall.Elapsed.TotalSeconds;
            var output = await stdout;
            if (child.ExitCode != 0)
            {
                Console.Error.WriteLine($"export child failed ({child.ExitCode}):\n{output}\n{await stderr}");
                return 1;
            }

            var result = output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ');
            var exportSeconds = double.Parse(result[1], CultureInfo.InvariantCulture);
            var payloadBytes = long.Parse(result[2], CultureInfo.InvariantCulture);
            var payloadFiles = int.Parse(result[3], CultureInfo.InvariantCulture);
            var hwmKb = long.Parse(result[4], CultureInfo.InvariantCulture);
            var exportCpu = double.Parse(result[5], CultureInfo.InvariantCulture);
            var tarBytes = new FileInfo(tar).Length;
            File.Delete(tar);

            var store = Path.Combine(data, "store");
            var storeBytes = BenchEngine.FolderBytes(store);
            var referenceTar = Path.Combine(data, "out", "reference.tar");
            var (refSeconds, _, refCpu) = await BenchEngine.ShellAsync($"tar cf - -C {BenchEngine.Quote(store)} . | tee {BenchEngine.Quote(referenceTar)} | openssl dgst -sha256 > /dev/null && sync {BenchEngine.Quote(referenceTar)}");
            File.Delete(referenceTar);

            var ratio = refSeconds / exportSeconds;
            var rssMet = hwmKb / 1024.0 <= 200;
            var table = new Table("operation", "payload MB", "files", "output MB", "seconds", "MB/s", "ratio", "target", "peak RSS MB", "CPU s", "MB per CPU s");
            table.Add("engine export to tar (ExportToTarAsync)", BenchEngine.F1(payloadBytes / 1e6), payloadFiles, BenchEngine.F1(tarBytes / 1e6), BenchEngine.F1(exportSeconds), BenchEngine.F1(BenchEngine.MBps(payloadBytes, exportSeconds)), BenchEngine.Pct(ratio), FixityCommand.Target(ratio, 0.7) + $"; RSS <= 200 MB {(rssMet ? "met" : "NOT met")}", $"{hwmKb / 1024.0:0} (VmHWM); {sampledPeakKb / 1024.0:0} (sampled)", BenchEngine.F1(exportCpu), BenchEngine.F1(payloadBytes / 1e6 / exportCpu));
            table.Add("  same, child process wall clock (incl. start-up)", "", "", "", BenchEngine.F1(wallSeconds), BenchEngine.F1(BenchEngine.MBps(payloadBytes, wallSeconds)), BenchEngine.Pct(refSeconds / wallSeconds), "", "", "", "");
            table.Add("  reference: tar cf - store \\| tee out.tar \\| openssl dgst -sha256, + fsync", BenchEngine.F1(payloadBytes / 1e6), "", BenchEngine.F1(storeBytes / 1e6) + " (store)", BenchEngine.F1(refSeconds), BenchEngine.F1(BenchEngine.MBps(payloadBytes, refSeconds)), "100 %", "", "", BenchEngine.F1(refCpu), BenchEngine.F1(payloadBytes / 1e6 / refCpu));
            BenchEngine.PrintHeading("export", $"{files} record files, {sizeMb} MB of content");
            Console.WriteLine(table);
            return 0;
        }
        finally
        {
            BenchEngine.Cleanup(data, delete);
        }
    }

    /// <summary>The export alone, in this (child) process; prints RESULT seconds payloadBytes payloadFiles VmHWM-kB CPU-seconds.</summary>
    private static async Task<int> ChildAsync(string data, string tar)
    {
        await using var engine = BenchEngine.Open(data);
        var handover = engine.Services.GetRequiredService<HandoverService>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var export = await handover.ExportToTarAsync(new HandoverRequest { FondsCode = BenchEngine.FondsCode, ReceivingAgencyId = BenchEngine.ReceivingAgencyId }, tar, BenchEngine.User);
        var seconds = sw.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {seconds} {export.PayloadBytes} {export.PayloadFiles} {BenchEngine.ProcStatusKb("VmHWM")} {cpuSeconds}"));
        return 0;
    }

    /// <summary>How to start this program again: the apphost, or dotnet + the assembly.</summary>
    internal static (string Exe, string[] Prefix) SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var assembly = typeof(ExportCommand).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? (process, [assembly]) : (process, []);
    }

    /// <summary>A non-seekable stream of <c>length</c> pseudo-random bytes (a 1 MiB block regenerated per seed and offset), never held whole in memory.</summary>
    internal sealed class PatternStream(long length, int seed) : Stream
    {
        private readonly byte[] _block = new byte[1 << 20];
        private long _position;
        private long _blockIndex = -1;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            var done = 0;
            while (done < n)
            {
                var index = _position / _block.Length;
                if (index != _blockIndex)
                {
                    new Random(HashCode.Combine(seed, index)).NextBytes(_block);
                    _blockIndex = index;
                }

                var at = (int)(_position % _block.Length);
                var take = Math.Min(n - done, _block.Length - at);
                _block.AsSpan(at, take).CopyTo(buffer[done..]);
                done += take;
                _position += take;
            }

            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
