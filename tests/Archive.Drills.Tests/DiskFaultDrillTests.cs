using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Archive.Packages;
using Archive.Records;
using Archive.Storage;
using Xunit;

namespace Archive.Drills.Tests;

/// <summary>
/// Issue #9, drill 3: real kernel write failures, no mocks. Disk full is a small tmpfs mounted for the drill (ENOSPC);
/// permission denied is a folder or file the kernel refuses to change — <c>chmod a-w</c> for an ordinary user, and
/// for root (which bypasses permission bits) the immutable attribute (<c>chattr +i</c>, EPERM even for root). Each
/// failed write must raise a clear error naming the I/O failure, leave the store exactly as it was (same files, same
/// bytes; the staging area and upload spool cleaned), keep the old version readable and valid, and the next write
/// must succeed once the cause is gone.
/// </summary>
/// <remarks>
/// Mounting needs root (CAP_SYS_ADMIN): without it the disk-full drill is skipped with the reason — unless CI=true and
/// the process is root, where the mechanism must work. The immutable attribute likewise needs root; an ordinary user
/// gets the chmod variant, which also covers the commit-point case only as far as permission bits can.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class DiskFaultDrillTests : IDisposable
{
    private readonly TempFolder _folder = new("diskfault");
    private readonly List<string> _mounts = [];
    private readonly List<string> _immutable = [];

    public void Dispose()
    {
        foreach (var path in _immutable)
        {
            Run("chattr", "-i", path);
        }

        foreach (var mount in _mounts)
        {
            Run("umount", "-l", mount); // lazy: a failed test may still hold files open on it
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task Disk_full_during_upload_spool_commit_and_update_gives_a_clear_error_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the disk-fault drill uses Linux kernel mechanisms (tmpfs, chattr)");
        var disk = Path.Combine(_folder.Path, "disk");
        Directory.CreateDirectory(disk);
        var (mounted, why) = Run("mount", "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", disk);
        if (!mounted)
        {
            Assert.False(DrillSettings.InCi && IsRoot(), $"CI runs as root, where a tmpfs must mount for the disk-full drill: {why}");
            Assert.Skip($"disk-full drill needs a small tmpfs (root / CAP_SYS_ADMIN): mount failed: {why}");
        }

        _mounts.Add(disk);

        // Data on the 16 MiB disk; TempPath (extracted text) either on it too or on the big disk. Content is written
        // into the folder store itself (staged there, published at commit), so on a full disk its write fails in any case.
        var spoolElsewhere = Path.Combine(_folder.Path, "spool");
        await using var engine = new DrillEngine(Path.Combine(disk, "data"), o => o.TempPath = spoolElsewhere);
        await engine.SeedAsync(ct);
        var code = (await engine.Files.CreateAsync(DrillEngine.FileInput("1.FULL", 2021, "Hồ sơ trên ổ đầy"), DrillEngine.User, ct)).Stored.Value.FileCode;
        await engine.Files.AddDocumentAsync(code, DrillEngine.DocInput("Văn bản"), null, DrillEngine.User, ct);
        var original = RandomNumberGenerator.GetBytes(200_000);
        var head = (await engine.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Bản gốc.bin", Content = new MemoryStream(original) }, null, DrillEngine.User, ct)).Stored.Version;

        // The acknowledged changes are projected (and their flags cleared) before the disk fills: a projection on a full
        // disk would fail and leave its flag for the pending-index run, which is right but not what this drill looks at.
        _ = await engine.SettledStoreDigestAsync(ct);

        // Fill the disk, then give back 64 KiB: small writes may pass, a 1 MiB content cannot.
        var filler = Path.Combine(disk, "filler");
        var free = Fill(filler);
        output?.WriteLine($"filled the tmpfs with {free / 1024} KiB");
        Shrink(filler, 64 * 1024);
        var big = RandomNumberGenerator.GetBytes(1 << 20);

        // (a) The content's write into the store (its staging) hits ENOSPC, although TempPath is on the big disk.
        var digest = await engine.SettledStoreDigestAsync(ct);
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () => await engine.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Bản lớn.bin", Content = new MemoryStream(big) }, head, DrillEngine.User, ct));
        output?.WriteLine($"content on a full disk: {ex.GetType().Name}: {ex.Message}");
        var storage = Assert.IsAssignableFrom<ArchiveStorageException>(ex);
        Assert.Equal("stage", storage.Operation);
        Assert.Contains("No space left on device", ex.Message, StringComparison.Ordinal);
        await AssertUnchangedAsync(engine, code, head, original, digest, ct);
        Assert.Empty(Directory.EnumerateFiles(spoolElsewhere));

        // (b) A metadata update on a disk with no byte left: the inventory cannot be written.
        Fill(filler);
        var update = DrillEngine.FileInput("1.FULL", 2021, "Tiêu đề mới trên ổ đầy");
        var ex2 = await Assert.ThrowsAnyAsync<Exception>(async () => await engine.Files.UpdateAsync(code, update, head, DrillEngine.User, ct));
        output?.WriteLine($"update on a full disk: {ex2.GetType().Name}: {ex2.Message}");
        Assert.IsAssignableFrom<ArchiveStorageException>(ex2);
        Assert.Contains("No space left on device", ex2.Message, StringComparison.Ordinal);
        await AssertUnchangedAsync(engine, code, head, original, digest, ct);

        // (c) The upload spool itself is on the full disk: spooling fails, nothing is stored, no spool file is left.
        File.Delete(filler);
        await using (var spooling = new DrillEngine(Path.Combine(disk, "data2")))
        {
            await spooling.SeedAsync(ct);
            var code2 = (await spooling.Files.CreateAsync(DrillEngine.FileInput("2.FULL", 2021, "Hồ sơ thứ hai"), DrillEngine.User, ct)).Stored.Value.FileCode;
            var head2 = (await spooling.Files.AddDocumentAsync(code2, DrillEngine.DocInput("Văn bản"), null, DrillEngine.User, ct)).Stored.Version;
            _ = await spooling.SettledStoreDigestAsync(ct); // projected before the disk fills, as above
            Fill(filler);
            Shrink(filler, 64 * 1024);
            var digest2 = await spooling.SettledStoreDigestAsync(ct);
            var ex3 = await Assert.ThrowsAnyAsync<Exception>(async () => await spooling.Files.AddContentAsync(code2, 1, new ContentUpload { FileName = "Bản lớn.bin", Content = new MemoryStream(big) }, head2, DrillEngine.User, ct));
            output?.WriteLine($"spool on a full disk: {ex3.GetType().Name}: {ex3.Message}");
            Assert.True(ex3 is IOException or ArchiveStorageException, ex3.ToString());
            Assert.Contains("No space left on device", ex3.Message, StringComparison.Ordinal);
            Assert.Equal(digest2, await spooling.SettledStoreDigestAsync(ct));
            Assert.Empty(spooling.StagingFiles());
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(disk, "data2", "tmp")));
            Assert.Equal(head2, (await spooling.Files.GetAsync(code2, ct))!.Version);
            File.Delete(filler);
        }

        // Space freed: the same writes succeed.
        File.Delete(filler);
        var written = await engine.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Bản lớn.bin", Content = new MemoryStream(big) }, head, DrillEngine.User, ct);
        Assert.Equal(head + 1, written.Stored.Version);
        var updated = await engine.Files.UpdateAsync(code, update, written.Stored.Version, DrillEngine.User, ct);
        Assert.Equal(head + 2, updated.Stored.Version);
        await AssertContentAsync(engine, code, "Bản lớn.bin", big, ct);
        Assert.True((await engine.Files.VerifyAsync(code, ct)).IsValid);
    }

    [Fact]
    public async Task Permission_denied_on_the_package_folder_or_its_commit_point_gives_a_clear_error_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the disk-fault drill uses Linux kernel mechanisms (tmpfs, chattr)");
        var root = IsRoot();
        await using var engine = new DrillEngine(Path.Combine(_folder.Path, "data"));
        await engine.SeedAsync(ct);
        var code = (await engine.Files.CreateAsync(DrillEngine.FileInput("1.RO", 2021, "Hồ sơ chỉ đọc"), DrillEngine.User, ct)).Stored.Value.FileCode;
        await engine.Files.AddDocumentAsync(code, DrillEngine.DocInput("Văn bản"), null, DrillEngine.User, ct);
        var original = RandomNumberGenerator.GetBytes(100_000);
        var head = (await engine.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Bản gốc.bin", Content = new MemoryStream(original) }, null, DrillEngine.User, ct)).Stored.Version;
        var objectRoot = Path.Combine(engine.StorePath, "objects", engine.Storage.Files.GetService<OcflPackageStore>()!.GetObjectRoot(code).TrimEnd('/'));
        var next = RandomNumberGenerator.GetBytes(300_000);

        // (a) The package folder refuses new entries: no version folder can be created, nor (with the package journal,
        // Archive:Packages:JournalLimit) new journal content or entries.
        var journal = Path.Combine(objectRoot, "extensions", "archive-journal");
        var folders = new[] { objectRoot, Path.Combine(journal, "content"), Path.Combine(journal, "entries") }.Where(Directory.Exists).ToList();
        var how = string.Empty;
        foreach (var folder in folders)
        {
            how = Deny(folder, root);
        }

        output?.WriteLine($"running as {(root ? "root: chattr +i (immutable; root bypasses permission bits)" : "an ordinary user: chmod a-w")} on {objectRoot}");
        var digest = await engine.SettledStoreDigestAsync(ct);
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () => await engine.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Bản mới.bin", Content = new MemoryStream(next) }, head, DrillEngine.User, ct));
        output?.WriteLine($"content into a {how} package folder: {ex.GetType().Name}: {ex.Message}");
        AssertDenied(ex);
        var ex2 = await Assert.ThrowsAnyAsync<Exception>(async () => await engine.Files.UpdateAsync(code, DrillEngine.FileInput("1.RO", 2021, "Tiêu đề mới"), head, DrillEngine.User, ct));
        output?.WriteLine($"update of a {how} package folder: {ex2.GetType().Name}: {ex2.Message}");
        AssertDenied(ex2);
        await AssertUnchangedAsync(engine, code, head, original, digest, ct);
        folders.ForEach(f => Allow(f, root));

        // (b) Root only: the commit point (replacing inventory.json, or with the journal creating the change's entry)
        // is refused after the change's files were written.
        if (root)
        {
            var inventory = Path.Combine(objectRoot, "inventory.json");
            Deny(inventory, root);
            var entries = Path.Combine(journal, "entries");
            if (Directory.Exists(entries))
            {
                Deny(entries, root);
            }

            var ex3 = await Assert.ThrowsAnyAsync<Exception>(async () => await engine.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Bản mới.bin", Content = new MemoryStream(next) }, head, DrillEngine.User, ct));
            output?.WriteLine($"commit point refused: {ex3.GetType().Name}: {ex3.Message}");
            AssertDenied(ex3);
            Allow(inventory, root);
            if (Directory.Exists(entries))
            {
                Allow(entries, root);
            }

            // The head is unchanged and readable; what the refused commit wrote beyond the head is invisible and is
            // removed by start-up recovery (or the next commit), after which the store is byte-for-byte as before.
            Assert.Equal(head, (await engine.Files.GetAsync(code, ct))!.Version);
            await AssertContentAsync(engine, code, "Bản gốc.bin", original, ct);
            var recovered = await engine.Storage.RecoverAsync(ct);
            output?.WriteLine("recovery after the refused commit: " + string.Join("; ", recovered.Select(r => $"{r.Name}: {r.Report.AbandonedVersionsRemoved} unfinished versions removed")));
            await AssertUnchangedAsync(engine, code, head, original, digest, ct);
        }
        else
        {
            output?.WriteLine("commit-point case skipped: it needs the immutable attribute (root); permission bits cannot refuse a rename over one file of a writable folder");
        }

        // Permission back: the next write succeeds.
        var written = await engine.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Bản mới.bin", Content = new MemoryStream(next) }, head, DrillEngine.User, ct);
        Assert.Equal(head + 1, written.Stored.Version);
        await AssertContentAsync(engine, code, "Bản mới.bin", next, ct);
        await AssertContentAsync(engine, code, "Bản gốc.bin", original, ct);
        Assert.True((await engine.Files.VerifyAsync(code, ct)).IsValid);
    }

    private static void AssertDenied(Exception ex)
    {
        var storage = Assert.IsAssignableFrom<ArchiveStorageException>(ex);
        Assert.Contains(storage.Operation, new[] { "put", "publish" }); // publish: staged content (with the journal, the first write of a change)
        Assert.NotNull(storage.Key);
        Assert.True(
            ex.Message.Contains("Operation not permitted", StringComparison.Ordinal) || ex.Message.Contains("ermission denied", StringComparison.Ordinal) || ex.Message.Contains("Access to the path", StringComparison.Ordinal),
            ex.Message);
        Assert.True(ex.InnerException is UnauthorizedAccessException or IOException, ex.ToString());
    }

    private static async Task AssertUnchangedAsync(DrillEngine engine, string code, int head, byte[] original, string digest, CancellationToken ct)
    {
        Assert.Equal(digest, await engine.SettledStoreDigestAsync(ct));
        Assert.Empty(engine.StagingFiles());
        var tmp = engine.Options.ResolveTempPath();
        Assert.True(!Directory.Exists(tmp) || !Directory.EnumerateFiles(tmp).Any(), "upload spool files left behind");
        Assert.Equal(head, (await engine.Files.GetAsync(code, ct))!.Version);
        await AssertContentAsync(engine, code, "Bản gốc.bin", original, ct);
        var fixity = await engine.Files.VerifyAsync(code, ct);
        Assert.True(fixity.IsValid, string.Join("; ", fixity.Problems));
    }

    private static async Task AssertContentAsync(DrillEngine engine, string code, string name, byte[] expected, CancellationToken ct)
    {
        await using var read = await engine.Files.OpenContentAsync(code, 1, name, cancellationToken: ct);
        Assert.NotNull(read);
        Assert.Equal(DrillEngine.Sha256(expected), Convert.ToHexStringLower(await SHA256.HashDataAsync(read.Content.Stream, ct)));
    }

    /// <summary>Writes to <paramref name="path"/> until the file system is full (ENOSPC); returns the bytes written.</summary>
    private static long Fill(string path)
    {
        var chunk = new byte[64 * 1024];
        long written = 0;
        using var fs = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, 0);
        try
        {
            while (true)
            {
                fs.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException ex) when (ex.Message.Contains("No space left on device", StringComparison.Ordinal))
        {
        }

        try
        {
            while (true)
            {
                fs.Write(chunk.AsSpan(0, 512));
                written += 512;
            }
        }
        catch (IOException ex) when (ex.Message.Contains("No space left on device", StringComparison.Ordinal))
        {
        }

        return written;
    }

    private static void Shrink(string path, long by)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write);
        fs.SetLength(Math.Max(0, fs.Length - by));
    }

    private string Deny(string path, bool root)
    {
        if (root)
        {
            var (ok, why) = Run("chattr", "+i", path);
            if (!ok)
            {
                Assert.False(DrillSettings.InCi, $"CI runs as root, where chattr +i must work for the permission drill: {why}");
                Assert.Skip($"permission drill as root needs chattr +i (CAP_LINUX_IMMUTABLE, a file system with the attribute): {why}");
            }

            _immutable.Add(path);
            return "immutable";
        }

        File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~(UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        return "read-only";
    }

    private void Allow(string path, bool root)
    {
        if (root)
        {
            Assert.True(Run("chattr", "-i", path).Ok);
            _immutable.Remove(path);
        }
        else
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite);
        }
    }

    private static bool IsRoot() => Run("id", "-u").Output.Trim() == "0";

    private static (bool Ok, string Output) Run(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEnd();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode == 0, (stdout + stderr).Trim() + (p.ExitCode == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (exit {p.ExitCode})")));
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (false, $"{file}: {ex.Message}");
        }
    }
}
