using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using Archive.Handover;
using Archive.Indexing;
using Archive.Records;
using Xunit;

namespace Archive.Drills.Tests;

/// <summary>
/// Issue #9, drill 1: SIGKILL of a process doing record-level work — ingest (record files with documents and content),
/// update (metadata and new content versions), handover export and reindex — at random moments, again and again. After
/// each kill the parent runs the host's start-up recovery and checks: 0 partial records (every package passes fixity,
/// every record file and content file reads back with its digest), 0 lost acknowledged commits (the child's fsync'd
/// journal), interrupted exports resumable or discardable, and the search index in agreement with storage.
/// </summary>
/// <remarks>Kills: <c>ARCHIVE_DRILL_KILLS</c> (default 52, 10–11 per operation).</remarks>
public sealed class KillDrillTests : IDisposable
{
    private static readonly string[] Operations = ["ingest", "import", "update", "export", "reindex"];
    private readonly TempFolder _folder = new("kill");

    public void Dispose() => _folder.Dispose();

    private string Data => Path.Combine(_folder.Path, "data");

    [Fact]
    public async Task Kill_9_during_ingest_import_update_export_and_reindex_loses_nothing_and_leaves_nothing_half_done()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        var kills = Math.Max(DrillSettings.Int("ARCHIVE_DRILL_KILLS", 52), Operations.Length);
        var watch = Stopwatch.StartNew();
        var random = new Random(20261125);

        // Seed: two agencies, a fonds, six record files with a document and content each.
        await using (var engine = new DrillEngine(Data))
        {
            await engine.SeedAsync(ct);
            for (var i = 1; i <= 6; i++)
            {
                var code = (await engine.Files.CreateAsync(DrillEngine.FileInput($"{i}.SEED", 2019, $"Hồ sơ gốc {i}"), DrillEngine.User, ct)).Stored.Value.FileCode;
                await engine.Files.AddDocumentAsync(code, DrillEngine.DocInput($"Văn bản gốc {i}"), null, DrillEngine.User, ct);
                await engine.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Bản gốc.bin", Content = new MemoryStream(RandomNumberGenerator.GetBytes(50_000)) }, null, DrillEngine.User, ct);
            }
        }

        var stats = new DrillStats();
        var allAcks = new List<Ack>();
        for (var run = 0; run < kills; run++)
        {
            var op = Operations[run % Operations.Length];
            var acks = await KillOneAsync(op, run, random, stats, ct);
            allAcks.AddRange(acks);
            await VerifyAfterKillAsync(op, run, acks, stats, ct);
        }

        // The end: an unfinished reindex or export is finished by the next run; everything acknowledged is still there.
        await using (var engine = new DrillEngine(Data))
        {
            if (await engine.Reindex.GetCheckpointAsync(ct) is not null)
            {
                var status = await engine.Reindex.RunAsync(cancellationToken: ct);
                Assert.True(status.Resumed, "an interrupted reindex did not resume");
                stats.ReindexResumes++;
            }

            foreach (var folder in Directory.EnumerateDirectories(Path.Combine(Data, "exports")).Where(f => File.Exists(Path.Combine(f, BagIt.IncompleteMarker))))
            {
                await engine.Handover.ExportToFolderAsync(DrillEngine.HandoverRequest(), folder, DrillEngine.User, IncompleteExportMode.Resume, cancellationToken: ct);
                stats.ExportsResumed++;
                var bag = await BagIt.VerifyAsync(folder, cancellationToken: ct);
                Assert.True(bag.IsValid, $"{folder}: {string.Join("; ", bag.Problems)}");
            }

            await VerifyAcksAsync(engine, allAcks, verifyBags: false, ct);
            var index = await engine.CheckIndexAsync(ct);
            Assert.True(index.IsConsistent, index.ToString());
            output?.WriteLine($"final: {index}");
        }

        output?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kills} kills in {watch.Elapsed.TotalSeconds:F1} s; {stats}"));

        // A batch import flags each record file before committing it: after a kill, start-up recovery alone (pending
        // flags) must leave the index complete — no reindex needed.
        Assert.True(stats.IndexGapsAfterStartup.GetValueOrDefault("import") == 0, $"batch import left {stats.IndexGapsAfterStartup.GetValueOrDefault("import")} index gaps after start-up recovery");
        Assert.True(stats.KilledMidWork >= kills / 2, $"only {stats.KilledMidWork} of {kills} children had acknowledged work before the kill: the drill exercised too little");
    }

    private async Task<List<Ack>> KillOneAsync(string op, int run, Random random, DrillStats stats, CancellationToken ct)
    {
        var journal = Path.Combine(_folder.Path, $"journal-{run:D3}-{op}.log");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new ConcurrentQueue<string>();
        var lines = new ConcurrentQueue<string>();

        // Kill point: after a random number of acknowledged calls (0-3), plus a random delay, so the kill lands anywhere
        // in a call (spooling, content write, inventory, commit point, index update, bag file, checkpoint...).
        var acksBeforeKill = random.Next(0, 4);
        var delay = random.Next(0, op is "export" or "reindex" ? 700 : 250);
        var seen = 0;
        using var child = StartChild(op, journal, random.Next(), run);
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lines.Enqueue(e.Data);
            if (e.Data == "READY")
            {
                ready.TrySetResult();
                if (acksBeforeKill == 0)
                {
                    enough.TrySetResult();
                }
            }
            else if (e.Data.StartsWith("ACK ", StringComparison.Ordinal) && Interlocked.Increment(ref seen) >= acksBeforeKill)
            {
                enough.TrySetResult();
            }
        };
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                errors.Enqueue(e.Data);
            }
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        await Task.WhenAny(enough.Task, child.WaitForExitAsync(ct), Task.Delay(TimeSpan.FromSeconds(120), ct));
        Assert.True(ready.Task.IsCompleted, $"{op} child {run} did not start: exit {(child.HasExited ? child.ExitCode : "none")}; {string.Join('\n', errors)}");
        await Task.Delay(delay, ct);
        Assert.False(child.HasExited, $"{op} child {run} stopped by itself (exit {(child.HasExited ? child.ExitCode : 0)}): {string.Join('\n', errors)}");
        child.Kill(entireProcessTree: false); // SIGKILL on Unix
        await child.WaitForExitAsync(ct);
        child.WaitForExit();

        foreach (var line in lines.Where(l => l.StartsWith("RECOVERED ", StringComparison.Ordinal)))
        {
            var c = line["RECOVERED ".Length..].Split(' ').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            stats.ChildVersionsRemoved += c[0];
            stats.ChildPackagesRemoved += c[1];
            stats.ChildSidecarsRepaired += c[2];
            Assert.Equal(0, c[3]);
        }

        var acks = File.Exists(journal)
            ? (await File.ReadAllLinesAsync(journal, ct)).Where(l => l.Length > 0).Select(l => new Ack(l.Split(' ').Select(Uri.UnescapeDataString).ToArray())).ToList()
            : [];
        stats.Kills[op] = stats.Kills.GetValueOrDefault(op) + 1;
        stats.Acks[op] = stats.Acks.GetValueOrDefault(op) + acks.Count;
        stats.KilledMidWork += acks.Count > 0 || op is "export" or "reindex" ? 1 : 0;
        foreach (var a in acks.Where(a => a.Kind == "R"))
        {
            stats.ReindexRuns++;
            stats.ReindexResumes += a[2] == "True" ? 1 : 0;
        }

        foreach (var a in acks.Where(a => a.Kind == "E"))
        {
            stats.ExportsResumed += a[2] == nameof(IncompleteExportMode.Resume) ? 1 : 0;
            stats.ExportsDiscarded += a[2] == nameof(IncompleteExportMode.Discard) ? 1 : 0;
            stats.ExportsCompleted++;
        }

        return acks;
    }

    private async Task VerifyAfterKillAsync(string op, int run, List<Ack> acks, DrillStats stats, CancellationToken ct)
    {
        var where = $"after kill {run} ({op})";
        await using var engine = new DrillEngine(Data);

        // The engine's start-up recovery (StartupRecoveryService, registered by AddArchive): every collection's unfinished commits.
        foreach (var (name, report) in await engine.Storage.RecoverAsync(ct))
        {
            Assert.True(report.CorruptPackages.Count == 0, $"{where}: corrupt {name} packages {string.Join(", ", report.CorruptPackages)}");
            stats.VersionsRemoved += report.AbandonedVersionsRemoved;
            stats.PackagesRemoved += report.UncommittedPackagesRemoved;
            stats.SidecarsRepaired += report.InventorySidecarsRepaired;
        }

        stats.PendingIndexed += await engine.Files.IndexPendingAsync(ct);

        // 0 partial records: fixity of every package, and every record file and content file reads back whole.
        await foreach (var fixity in engine.Files.VerifyAllAsync(ct))
        {
            Assert.True(fixity.Report.IsValid, $"{where}: {fixity.Collection}/{fixity.Report.PackageId}: {string.Join("; ", fixity.Report.Problems)}");
            stats.PackagesVerified++;
        }

        await foreach (var file in engine.Files.ListAsync(cancellationToken: ct))
        {
            Assert.Equal(file.Version, (await engine.Files.GetHistoryAsync(file.Value.FileCode, ct)).Count);
            foreach (var doc in file.Value.Documents)
            {
                foreach (var content in doc.Contents)
                {
                    await using var read = await engine.Files.OpenContentAsync(file.Value.FileCode, doc.DocOrdinal, content.Name, cancellationToken: ct);
                    Assert.NotNull(read);
                    Assert.Equal(content.Sha256, Convert.ToHexStringLower(await SHA256.HashDataAsync(read.Content.Stream, ct)));
                }
            }
        }

        // 0 lost committed records: everything the child acknowledged.
        await VerifyAcksAsync(engine, acks, verifyBags: true, ct);

        // Interrupted exports are marked incomplete (never mistaken for a bag); complete ones verify.
        var exports = Path.Combine(Data, "exports");
        if (Directory.Exists(exports))
        {
            foreach (var folder in Directory.EnumerateDirectories(exports))
            {
                if (File.Exists(Path.Combine(folder, BagIt.IncompleteMarker)))
                {
                    Assert.DoesNotContain(acks, a => a.Kind == "E" && a[1] == Path.GetFileName(folder));
                    stats.ExportsInterrupted += op == "export" && acks.All(a => a[1] != Path.GetFileName(folder)) ? 1 : 0;
                }
            }
        }

        // The search index agrees with storage: the start-up path first, then (if it does not) a reindex repairs it.
        var index = await engine.CheckIndexAsync(ct);
        if (!index.IsConsistent)
        {
            stats.IndexGapsAfterStartup[op] = stats.IndexGapsAfterStartup.GetValueOrDefault(op) + index.Missing.Count + index.Stale.Count + index.Ghosts.Count;
            TestContext.Current.TestOutputHelper?.WriteLine($"{where}: index before reindex: {index}");
            var status = await engine.Reindex.RunAsync(cancellationToken: ct);
            stats.ParentReindexes++;
            stats.ReindexResumes += status.Resumed ? 1 : 0;
            index = await engine.CheckIndexAsync(ct);
        }

        Assert.True(index.IsConsistent, $"{where}: {index}");
    }

    private async Task VerifyAcksAsync(DrillEngine engine, List<Ack> acks, bool verifyBags, CancellationToken ct)
    {
        foreach (var ack in acks)
        {
            switch (ack.Kind)
            {
                case "C" or "T" or "D" or "F":
                {
                    var code = ack[1];
                    var version = int.Parse(ack[2], CultureInfo.InvariantCulture);
                    var at = await engine.Files.GetVersionAsync(code, version, ct);
                    Assert.True(at is not null, $"acknowledged {ack} is lost: {code} v{version} does not exist");
                    if (ack.Kind is "C" or "T")
                    {
                        Assert.Equal(ack[3], at.Value.Title);
                    }
                    else if (ack.Kind == "D")
                    {
                        Assert.Contains(at.Value.Documents, d => d.DocOrdinal == int.Parse(ack[3], CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        var ordinal = int.Parse(ack[3], CultureInfo.InvariantCulture);
                        var content = at.Value.Documents.Single(d => d.DocOrdinal == ordinal).Contents.Single(c => c.Name == ack[4]);
                        Assert.Equal(ack[5], content.Sha256);
                        await using var read = await engine.Files.OpenContentAsync(code, ordinal, ack[4], version: version, cancellationToken: ct);
                        Assert.NotNull(read);
                        Assert.Equal(ack[5], Convert.ToHexStringLower(await SHA256.HashDataAsync(read.Content.Stream, ct)));
                    }

                    break;
                }

                case "E" when verifyBags:
                {
                    var folder = Path.Combine(Data, "exports", ack[1]);
                    var bag = await BagIt.VerifyAsync(folder, cancellationToken: ct);
                    Assert.True(bag.IsValid, $"acknowledged export {ack[1]}: {string.Join("; ", bag.Problems)}");
                    break;
                }
            }
        }
    }

    private static Process StartChild(string op, string journal, int seed, int run)
    {
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        info.Environment[KillChild.ModeVariable] = op;
        info.Environment[KillChild.DataVariable] = Path.Combine(Path.GetDirectoryName(journal)!, "data");
        info.Environment[KillChild.JournalVariable] = journal;
        info.Environment[KillChild.SeedVariable] = seed.ToString(CultureInfo.InvariantCulture);
        info.Environment[KillChild.RunVariable] = run.ToString(CultureInfo.InvariantCulture);
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the drill child.");
    }

    private sealed record Ack(string[] Fields)
    {
        public string Kind => Fields[0];

        public string this[int i] => Fields[i];

        public override string ToString() => string.Join(' ', Fields);
    }

    private sealed class DrillStats
    {
        public Dictionary<string, int> Kills { get; } = [];

        public Dictionary<string, int> Acks { get; } = [];

        public Dictionary<string, int> IndexGapsAfterStartup { get; } = [];

        public int KilledMidWork { get; set; }

        public int ChildVersionsRemoved { get; set; }

        public int ChildPackagesRemoved { get; set; }

        public int ChildSidecarsRepaired { get; set; }

        public int VersionsRemoved { get; set; }

        public int PackagesRemoved { get; set; }

        public int SidecarsRepaired { get; set; }

        public int PendingIndexed { get; set; }

        public int PackagesVerified { get; set; }

        public int ReindexRuns { get; set; }

        public int ReindexResumes { get; set; }

        public int ParentReindexes { get; set; }

        public int ExportsCompleted { get; set; }

        public int ExportsResumed { get; set; }

        public int ExportsDiscarded { get; set; }

        public int ExportsInterrupted { get; set; }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"kills per operation {Fmt(Kills)}; acknowledged calls {Fmt(Acks)}; start-up recovery (children) removed {ChildVersionsRemoved} unfinished versions and {ChildPackagesRemoved} never-committed packages, repaired {ChildSidecarsRepaired} sidecars; "
            + $"parent recovery: {VersionsRemoved} versions, {PackagesRemoved} packages, {SidecarsRepaired} sidecars, {PendingIndexed} pending re-indexed; {PackagesVerified} package fixity checks passed; "
            + $"exports: {ExportsCompleted} completed ({ExportsResumed} resumed, {ExportsDiscarded} discarded+redone), {ExportsInterrupted} interrupted; reindex: {ReindexRuns} completed in children, {ReindexResumes} resumed, {ParentReindexes} run by the parent to repair the index; "
            + $"index gaps left by kills before reindex {Fmt(IndexGapsAfterStartup)}");

        private static string Fmt(Dictionary<string, int> d) => "{" + string.Join(", ", d.Select(kv => $"{kv.Key}: {kv.Value}")) + "}";
    }
}
