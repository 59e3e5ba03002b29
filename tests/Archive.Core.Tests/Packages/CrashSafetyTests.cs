using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Archive.Packages;
using Archive.Storage.FileSystem;
using Xunit;

namespace Archive.Core.Tests.Packages;

/// <summary>
/// Kills a process that is committing packages (SIGKILL, at random moments) again and again, then recovers and checks
/// that nothing reported as committed was lost and nothing half-written is visible.
/// </summary>
public sealed partial class CrashSafetyTests : IDisposable
{
    private const int Kills = 12;
    private readonly PackageTempFolder _folder = new("crash");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Killing_a_committing_process_never_loses_or_exposes_a_commit()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(20240517);
        var committed = new Dictionary<string, int>(StringComparer.Ordinal);
        var totalCommits = 0;
        var killedMidway = 0;
        var recovered = new int[5];

        for (var run = 0; run < Kills; run++)
        {
            var lines = new ConcurrentQueue<string>();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Most runs are killed after a random number of commits plus a random delay (so the kill lands anywhere in
            // a commit, whatever the machine's speed); some right after start-up (during recovery or the first commit).
            var commitsBeforeKill = run % 4 == 0 ? 0 : random.Next(1, 4);
            var enoughCommits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var seen = 0;
            var errors = new ConcurrentQueue<string>();
            using var child = StartChild(random.Next());
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
                }
                else if (e.Data.StartsWith("COMMITTED ", StringComparison.Ordinal) && Interlocked.Increment(ref seen) >= commitsBeforeKill)
                {
                    enoughCommits.TrySetResult();
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

            await Task.WhenAny(ready.Task, child.WaitForExitAsync(ct), Task.Delay(TimeSpan.FromSeconds(60), ct));
            Assert.True(ready.Task.IsCompleted, $"child {run} did not start: exit {(child.HasExited ? child.ExitCode : "none")}; {string.Join('\n', errors)}");

            if (commitsBeforeKill > 0)
            {
                await Task.WhenAny(enoughCommits.Task, child.WaitForExitAsync(ct), Task.Delay(TimeSpan.FromSeconds(60), ct));
            }

            await Task.Delay(random.Next(0, 300), ct);
            Assert.False(child.HasExited, $"child {run} stopped by itself (exit {(child.HasExited ? child.ExitCode : 0)}): {string.Join('\n', errors)}");
            child.Kill(entireProcessTree: false); // SIGKILL on Unix
            await child.WaitForExitAsync(ct);
            child.WaitForExit(); // drains the redirected output
            Assert.NotEqual(3, child.ExitCode);

            var commitsThisRun = 0;
            foreach (var line in lines)
            {
                if (line.StartsWith("RECOVERED ", StringComparison.Ordinal))
                {
                    var counts = line["RECOVERED ".Length..].Split(' ').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                    for (var i = 0; i < recovered.Length; i++)
                    {
                        recovered[i] += counts[i];
                    }
                }

                var match = CommittedLine().Match(line);
                if (!match.Success)
                {
                    continue;
                }

                var id = Uri.UnescapeDataString(match.Groups[1].Value);
                var version = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                committed[id] = Math.Max(committed.GetValueOrDefault(id), version);
                commitsThisRun++;
            }

            totalCommits += commitsThisRun;
            killedMidway += commitsThisRun > 0 ? 1 : 0;
        }

        Assert.True(totalCommits >= Kills, $"only {totalCommits} commits were reported; the test did not exercise much");
        Assert.True(killedMidway >= Kills / 2, $"only {killedMidway} of {Kills} children committed anything before being killed");

        // Restart: the folder store recovers dead staging folders when opened, the package store its unfinished versions.
        using var objects = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path, RecoverOnStartup = false });
        var staging = await objects.RecoverAsync(cancellationToken: ct);
        Assert.Equal(1, staging.AbandonedStagingFolders);
        var packages = new OcflPackageStore(objects);
        var recovery = await packages.RecoverAsync(ct);
        Assert.Empty(recovery.CorruptPackages);
        TestContext.Current.TestOutputHelper?.WriteLine($"{Kills} kills, {totalCommits} reported commits over {committed.Count} packages; "
            + $"children's start-up recoveries: {recovered[0]} partial content files discarded, {recovered[1]} sidecars rolled forward, "
            + $"{recovered[2]} unfinished versions removed, {recovered[3]} uncommitted packages removed, {recovered[4]} inventory sidecars repaired; last child's staging: {staging}; package recovery: {recovery}");

        // Every sidecar the kills left stale was rolled forward at start-up: a full scan finds nothing left to repair.
        var scan = await objects.RecoverAsync(fullScan: true, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"full scan after recovery: {scan}");
        Assert.Equal(0, scan.SidecarsRepaired);
        Assert.Single(Directory.GetDirectories(Path.Combine(_folder.Path, ".staging")));

        // Staged files of the killed children (published or not) went with their staging folders.
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder.Path, ".staging"), "*.content", SearchOption.AllDirectories));

        var listed = new List<string>();
        await foreach (var id in packages.ListPackagesAsync(cancellationToken: ct))
        {
            listed.Add(id);
        }

        foreach (var (id, version) in committed)
        {
            Assert.Contains(id, listed);
            var inventory = await packages.GetInventoryAsync(id, ct);
            Assert.NotNull(inventory);
            Assert.True(inventory.Head >= version, $"{id}: the child reported v{version} committed but the head is v{inventory.Head}");
        }

        foreach (var id in listed)
        {
            Assert.Contains(id, CrashChild.PackageIds);
            var report = await packages.VerifyAsync(id, ct);
            Assert.True(report.IsValid, $"{id}: {string.Join("; ", report.Problems)}");
        }
    }

    private Process StartChild(int seed)
    {
        var host = Environment.ProcessPath!;
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            // Run through the muxer: start the test assembly itself.
            info.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        info.Environment[CrashChild.RootVariable] = _folder.Path;
        info.Environment[CrashChild.SeedVariable] = seed.ToString(CultureInfo.InvariantCulture);
        return Process.Start(info) ?? throw new InvalidOperationException("Could not start the child process.");
    }

    [GeneratedRegex(@"^COMMITTED (\S+) v(\d+)$")]
    private static partial Regex CommittedLine();
}
