using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Archive.Packages;
using Archive.Records;
using Xunit;

namespace Archive.Drills.Tests;

/// <summary>
/// Issue #9, drill 2: bit-rot. Flips one byte in stored content files, version inventories, root inventories and
/// inventory sidecar digests across many record-file packages (one damage per damaged package, spread over the four
/// kinds), then runs the fixity audit (<see cref="RecordFileService.VerifyAllAsync"/>, the job behind the API's fixity
/// check): every damaged package must be reported at the damaged path, and no clean package may be reported.
/// </summary>
/// <remarks>Packages: <c>ARCHIVE_DRILL_BITROT_PACKAGES</c> (default 48; two thirds are damaged).</remarks>
public sealed class BitRotDrillTests : IDisposable
{
    private readonly TempFolder _folder = new("bitrot");

    public void Dispose() => _folder.Dispose();

    private enum Damage
    {
        Content,
        VersionInventory,
        RootInventory,
        InventorySidecar,
        JournalEntry,
    }

    [Fact]
    public async Task Flipped_bytes_in_content_inventories_and_sidecars_are_all_reported_and_clean_packages_are_not()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        var packages = DrillSettings.Int("ARCHIVE_DRILL_BITROT_PACKAGES", 48);
        var random = new Random(9);
        await using var engine = new DrillEngine(Path.Combine(_folder.Path, "data"));
        await engine.SeedAsync(ct);

        // Record files with 1-2 documents, content, and 2-5 versions each.
        var codes = new List<string>();
        for (var i = 1; i <= packages; i++)
        {
            var code = (await engine.Files.CreateAsync(DrillEngine.FileInput($"{i}.BR", 2018, $"Hồ sơ số {i}"), DrillEngine.User, ct)).Stored.Value.FileCode;
            for (var d = 1; d <= 1 + (i % 2); d++)
            {
                await engine.Files.AddDocumentAsync(code, DrillEngine.DocInput($"Văn bản {d}"), null, DrillEngine.User, ct);
                await engine.Files.AddContentAsync(code, d, new ContentUpload { FileName = $"Tệp {d}.bin", Content = new MemoryStream(RandomNumberGenerator.GetBytes(random.Next(1, 40_000))) }, null, DrillEngine.User, ct);
            }

            codes.Add(code);
        }

        // Before: the audit is clean.
        var before = await AuditAsync(engine, ct);
        Assert.True(before.Values.All(p => p.Count == 0), "the store is not clean before the drill");
        Assert.Equal(packages, before.Count(kv => kv.Key.StartsWith("files/", StringComparison.Ordinal)));

        // Damage two thirds of the packages, one damage each, cycling through the four kinds.
        var filesRoot = Path.Combine(engine.StorePath, "objects", "ocfl", "files");
        var damaged = new Dictionary<string, (Damage Kind, string Path)>(StringComparer.Ordinal);
        var kinds = Enum.GetValues<Damage>();
        foreach (var (code, n) in codes.Select((c, n) => (c, n)).Where(x => x.n % 3 != 2))
        {
            var kind = kinds[damaged.Count % kinds.Length];
            var objectRoot = Path.Combine(engine.StorePath, "objects", engine.Storage.Files.GetService<OcflPackageStore>()!.GetObjectRoot(code).TrimEnd('/'));
            Assert.True(Directory.Exists(objectRoot), objectRoot);
            // OCFL versions on disk (with the package journal a record file has fewer of them than logical versions).
            var ocflHead = Directory.EnumerateDirectories(objectRoot, "v*").Count();
            var relative = kind switch
            {
                Damage.Content => Pick(Directory.EnumerateFiles(objectRoot, "*", SearchOption.AllDirectories)
                    .Where(f => f.Contains($"{Path.DirectorySeparatorChar}content{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList(), objectRoot, random),
                Damage.VersionInventory => $"v{random.Next(1, ocflHead + 1).ToString(CultureInfo.InvariantCulture)}/inventory.json",
                Damage.RootInventory => "inventory.json",
                Damage.JournalEntry => Pick(Directory.EnumerateFiles(Path.Combine(objectRoot, "extensions", "archive-journal", "entries")).ToList(), objectRoot, random),
                _ => random.Next(2) == 0 ? "inventory.json.sha256" : $"v{random.Next(1, ocflHead + 1).ToString(CultureInfo.InvariantCulture)}/inventory.json.sha256",
            };
            FlipByte(Path.Combine(objectRoot, relative), random, kind == Damage.InventorySidecar);
            damaged[code] = (kind, relative);
        }

        var watch = Stopwatch.StartNew();
        var after = await AuditAsync(engine, ct);
        watch.Stop();
        var reported = 0;
        foreach (var code in codes)
        {
            var problems = after["files/" + code];
            if (damaged.TryGetValue(code, out var damage))
            {
                Assert.True(problems.Count > 0, $"{damage.Kind} damage at {code}/{damage.Path} was not reported");
                var expectedPath = damage.Kind == Damage.InventorySidecar && !damage.Path.EndsWith("/inventory.json.sha256", StringComparison.Ordinal) ? "inventory.json" : damage.Path;
                Assert.True(
                    problems.Any(p => p.Path == expectedPath || p.Path == damage.Path || (damage.Kind == Damage.InventorySidecar && p.Path == damage.Path.Replace(".sha256", string.Empty, StringComparison.Ordinal))),
                    $"{damage.Kind} damage at {code}/{damage.Path} reported at other paths: {string.Join("; ", problems)}");
                var kindOk = damage.Kind == Damage.Content
                    ? problems.Any(p => p.Kind == FixityProblemKind.ContentDigestMismatch)
                    : problems.Any(p => p.Kind == FixityProblemKind.InventoryCorrupt);
                Assert.True(kindOk, $"{damage.Kind} damage at {code}/{damage.Path} reported as {string.Join("; ", problems.Select(p => p.Kind))}");
                reported++;
            }
            else
            {
                Assert.True(problems.Count == 0, $"false positive on clean package {code}: {string.Join("; ", problems)}");
            }
        }

        // The other collections (agencies, fonds) were not touched and stay clean.
        Assert.All(after.Where(kv => !kv.Key.StartsWith("files/", StringComparison.Ordinal)), kv => Assert.Empty(kv.Value));
        Assert.Equal(damaged.Count, reported);
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{packages} record-file packages, {damaged.Count} damaged ({string.Join(", ", damaged.Values.GroupBy(d => d.Kind).Select(g => $"{g.Key}: {g.Count()}"))}), reported {reported} = {100.0 * reported / damaged.Count:F0} %, false positives 0 of {packages - damaged.Count} clean; audit of {after.Count} packages took {watch.ElapsedMilliseconds} ms"));

        // A damaged package is refused loudly where it matters: reading it does not hand out rotten bytes silently.
        var (contentCode, contentDamage) = damaged.First(d => d.Value.Kind == Damage.Content);
        var fixity = await engine.Files.VerifyAsync(contentCode, ct);
        Assert.Contains(fixity.Problems, p => p.Path == contentDamage.Path && p.Kind == FixityProblemKind.ContentDigestMismatch);
    }

    private static async Task<Dictionary<string, List<FixityProblem>>> AuditAsync(DrillEngine engine, CancellationToken ct)
    {
        var result = new Dictionary<string, List<FixityProblem>>(StringComparer.Ordinal);
        await foreach (var f in engine.Files.VerifyAllAsync(ct))
        {
            result[f.Collection + "/" + f.Report.PackageId] = [.. f.Report.Problems];
        }

        return result;
    }

    private static string Pick(List<string> files, string objectRoot, Random random)
    {
        Assert.NotEmpty(files);
        return Path.GetRelativePath(objectRoot, files[random.Next(files.Count)]).Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>Flips one bit of one byte (for a hex digest, a hex digit to another hex digit, so the text stays well-formed).</summary>
    private static void FlipByte(string path, Random random, bool hexDigest)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.NotEmpty(bytes);
        if (hexDigest)
        {
            var i = random.Next(0, 64);
            bytes[i] = (byte)(bytes[i] == (byte)'0' ? '1' : '0');
        }
        else
        {
            var i = random.Next(bytes.Length);
            bytes[i] ^= (byte)(1 << random.Next(8));
        }

        File.WriteAllBytes(path, bytes);
    }
}
