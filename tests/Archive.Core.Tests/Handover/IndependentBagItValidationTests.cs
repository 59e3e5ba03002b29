using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Archive.Testing.Support;
using Archive.Core.Tests.Records;
using Archive.Core.Tests.Reorganisation;
using Archive.Core.Tests.Transfer;
using Archive.Handover;
using Archive.Retention;
using Xunit;
using static Archive.Core.Tests.Transfer.TransferFixture;

namespace Archive.Core.Tests.Handover;

/// <summary>
/// Handover bags checked by an implementation that shares nothing with ours: <c>bagit-tools</c> from the npm registry,
/// run by <c>tests/tools/bagit-validate/validate.js</c> (installed by <c>scripts/test.sh</c> with <c>npm ci</c>). It
/// re-hashes every file of <c>manifest-sha256.txt</c> and <c>tagmanifest-sha256.txt</c> with SHA-256 and compares the
/// payload count. Skips locally when node or the module is missing; fails under CI=true.
/// </summary>
public sealed class IndependentBagItValidationTests
{
    [Fact]
    public async Task Exported_bag_is_valid_for_an_independent_validator_and_tampered_bags_are_not()
    {
        var ct = TestContext.Current.CancellationToken;
        var tool = ToolFolder();
        var node = FindOnPath("node");
        ServerRequirement.Require(
            node is not null && File.Exists(Path.Combine(tool, "node_modules", "bagit-tools", "index.js")),
            $"The independent BagIt validator needs node and `npm ci --prefix {tool}` (scripts/test.sh runs it).");

        await using var h = CreateAgencies();
        await h.SeedQuangNamCommunesAsync();
        await h.FileAsync("P-TAMANH", "01.VP", 2015, "Hồ sơ về việc đặt tên đường, xã Tam Anh", RetentionPeriod.Permanent, AccessLevel.Public, RandomNumberGenerator.GetBytes(150_000), "Tờ trình đặt tên đường.jpg");
        await h.FileAsync("P-TAMANH", "02.VP", 2016, "Hồ sơ công văn trao đổi năm 2016", RetentionPeriod.OfYears(10), AccessLevel.Public, RandomNumberGenerator.GetBytes(9_000), "Công văn số 05.jpg");
        var bag = (await h.Handover().ExportToFolderAsync(new HandoverRequest { FondsCode = "P-TAMANH", ReceivingAgencyId = XaNuiThanh }, Path.Combine(h.DataPath, "bag"), ArchiveHarness.User, cancellationToken: ct)).Path;
        Assert.True((await BagIt.VerifyAsync(bag, cancellationToken: ct)).IsValid);

        var (code, output) = await RunAsync(node!, tool, bag, ct);
        Assert.True(code == 0, output);
        Assert.Contains("manifest-sha256.txt no verification errors", output, StringComparison.Ordinal);
        Assert.Contains("tagmanifest-sha256.txt no verification errors", output, StringComparison.Ordinal);

        // A payload byte flipped, a tag file edited, an unlisted payload file: each makes the validator fail.
        var payloadFile = Directory.EnumerateFiles(Path.Combine(bag, "data", "finished"), "*.jpg", SearchOption.AllDirectories).First();
        foreach (var (name, tamper) in new (string, Action<string>)[]
        {
            ("payload", c => FlipByte(Path.Combine(c, Path.GetRelativePath(bag, payloadFile)))),
            ("tag", c => File.AppendAllText(Path.Combine(c, BagIt.InfoFile), "Note: sửa sau khi đóng gói\n")),
            ("extra", c => File.WriteAllText(Path.Combine(c, "data", "smuggled.txt"), "x")),
        })
        {
            var copy = CopyFolder(bag, Path.Combine(h.DataPath, "tampered-" + name));
            tamper(copy);
            var (bad, text) = await RunAsync(node!, tool, copy, ct);
            Assert.True(bad != 0, $"{name}: {text}");
            Assert.False((await BagIt.VerifyAsync(copy, cancellationToken: ct)).IsValid, name);
        }
    }

    /// <summary>
    /// tests/tools/bagit-validate of the repository the tests were built from: found by walking up from the test binaries
    /// to Archive.sln (source paths are mapped to /_/ in CI builds, and the build output may live outside the tree).
    /// </summary>
    private static string ToolFolder([CallerFilePath] string source = "")
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Archive.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "tools", "bagit-validate");
            }
        }

        var cwd = Directory.GetCurrentDirectory();
        return File.Exists(Path.Combine(cwd, "Archive.sln"))
            ? Path.Combine(cwd, "tests", "tools", "bagit-validate")
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "tools", "bagit-validate"));
    }

    private static string? FindOnPath(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static async Task<(int Code, string Output)> RunAsync(string node, string tool, string bag, CancellationToken ct)
    {
        var start = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(tool, "validate.js"));
        start.ArgumentList.Add(bag);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
