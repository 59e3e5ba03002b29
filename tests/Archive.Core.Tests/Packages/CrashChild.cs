using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Archive.Testing.Storage;
using Archive.Packages;
using Archive.Storage.FileSystem;

namespace Archive.Core.Tests.Packages;

/// <summary>
/// The child process of <see cref="CrashSafetyTests"/>: this test executable, started again with
/// <see cref="RootVariable"/> set, commits packages in a loop until it is killed. A module initializer intercepts
/// the start before the test platform's entry point runs, so no separate project is needed.
/// </summary>
/// <remarks>
/// Protocol on standard output: <c>READY</c> once the stores are open and recovered, then
/// <c>COMMITTED &lt;escaped id&gt; v&lt;n&gt;</c> after each <see cref="OcflPackageStore.CommitAsync"/> returned.
/// </remarks>
internal static class CrashChild
{
    public const string RootVariable = "ARCHIVE_CRASH_CHILD_ROOT";
    public const string SeedVariable = "ARCHIVE_CRASH_CHILD_SEED";

    public static readonly string[] PackageIds =
    [
        "pkg-00", "pkg-01", "pkg-02", "pkg-03", "pkg-04", "pkg-05",
        "000.00.00.G09.2024.01", "Hồ sơ 01/2024", "Hồ sơ 02/2024: đất đai",
    ];

#pragma warning disable CA2255 // Intentional: the test executable doubles as the crash-test child process.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RunIfRequested()
    {
        var root = Environment.GetEnvironmentVariable(RootVariable);
        if (string.IsNullOrEmpty(root))
        {
            return;
        }

        var seed = int.Parse(Environment.GetEnvironmentVariable(SeedVariable) ?? "1", CultureInfo.InvariantCulture);
        var exitCode = 0;
        try
        {
            Run(root, seed);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine(ex);
            exitCode = 3;
        }

        Environment.Exit(exitCode);
    }

    /// <summary>
    /// Synchronous on purpose: this runs inside the module initializer, and while it runs no other thread may execute
    /// code of this assembly (an async continuation here would deadlock). The stores' own continuations run in their
    /// assemblies, so blocking on them is safe.
    /// </summary>
    private static void Run(string root, int seed)
    {
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        using var objects = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = root, RecoverOnStartup = false });
        var fs = objects.RecoverAsync().AsTask().GetAwaiter().GetResult();
        var packages = new OcflPackageStore(objects);
        var pkg = packages.RecoverAsync().AsTask().GetAwaiter().GetResult();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RECOVERED {fs.StagingFilesDeleted} {fs.SidecarsRolledForward} {pkg.AbandonedVersionsRemoved} {pkg.UncommittedPackagesRemoved} {pkg.InventorySidecarsRepaired}"));
        output.WriteLine("READY");

        var random = new Random(seed);
        var shared = Encoding.UTF8.GetBytes("Nội dung dùng chung giữa nhiều hồ sơ (deduplicated).");
        var stagedObjects = new List<Archive.Storage.StagedObject>();
        while (true)
        {
            var id = PackageIds[random.Next(PackageIds.Length)];
            var current = packages.GetInventoryAsync(id).AsTask().GetAwaiter().GetResult();
            var commit = new PackageCommit { ExpectedHead = current?.Head ?? 0, Message = $"seed {seed}", UserName = "crash test" };
            var paths = new HashSet<string>(StringComparer.Ordinal);
            var existing = current?.HeadVersion.Files.Select(f => f.LogicalPath).ToList() ?? [];
            if (existing.Count > 3 && random.NextDouble() < 0.4)
            {
                var victim = existing[random.Next(existing.Count)];
                paths.Add(victim);
                commit.Remove(victim);
            }

            var files = random.Next(2, 6);
            var streams = new List<Stream>();
            for (var i = 0; i < files; i++)
            {
                var path = $"tài liệu/{random.Next(10)}/tệp {random.Next(6)}.bin";
                if (existing.Any(e => path.StartsWith(e + "/", StringComparison.Ordinal)) || !paths.Add(path))
                {
                    continue;
                }

                Stream content = random.NextDouble() < 0.2
                    ? new NonSeekableStream(shared)
                    : new GeneratedStream(random.Next(1, 160 * 1024), random.Next());
                streams.Add(content);
                if (random.NextDouble() < 0.5)
                {
                    // Staged in the store first and published in place by the commit (the content ingest path).
                    var staged = objects.StageAsync(content).AsTask().GetAwaiter().GetResult();
                    stagedObjects.Add(staged);
                    commit.Put(path, staged);
                }
                else
                {
                    commit.Put(path, content);
                }
            }

            if (random.NextDouble() < 0.3)
            {
                // Staged and never committed (a refused upload the kill catches before it is discarded).
                stagedObjects.Add(objects.StageAsync(new GeneratedStream(random.Next(1, 64 * 1024), random.Next())).AsTask().GetAwaiter().GetResult());
            }

            var result = packages.CommitAsync(id, commit).AsTask().GetAwaiter().GetResult();
            foreach (var s in streams)
            {
                s.Dispose();
            }

            // Discarded some commits later, so that kills also find published and unpublished staged files.
            while (stagedObjects.Count > 6)
            {
                stagedObjects[0].Dispose();
                stagedObjects.RemoveAt(0);
            }

            output.WriteLine($"COMMITTED {Uri.EscapeDataString(id)} v{result.Head}");
        }
    }
}
