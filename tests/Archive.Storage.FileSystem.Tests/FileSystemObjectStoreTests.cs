using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Testing.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Storage.FileSystem.Tests;

/// <summary>Behaviour specific to the folder store: layout on disk, recovery, IO failures, honesty about retention.</summary>
public sealed class FileSystemObjectStoreTests : IDisposable
{
    private readonly TempRoot _root = new("fs");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private FileSystemStoreOptions Options(bool recover = true) => new() { RootPath = _root.Path, RecoverOnStartup = recover };

    private FileSystemObjectStore Open(bool recover = true) => new(Options(recover));

    private string ContentFile(string key) => Path.Combine(_root.Path, "objects", key);

    private string SidecarFile(string key) => Path.Combine(_root.Path, ".meta", key);

    private string StagingRoot => Path.Combine(_root.Path, ".staging");

    private static async Task<ObjectInfo> PutTextAsync(IObjectStore store, string key, string text, PutObjectOptions? options = null)
    {
        using var stream = new NonSeekableStream(Encoding.UTF8.GetBytes(text));
        return await store.PutAsync(key, stream, options, Ct);
    }

    private static async Task<string?> ReadTextAsync(IObjectStore store, string key)
    {
        await using var content = await store.GetAsync(key, cancellationToken: Ct);
        return content is null ? null : Encoding.UTF8.GetString(await StreamAssert.ReadAllAsync(content.Stream, Ct));
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public void Dispose() => _root.Dispose();

    // ---------------------------------------------------------------- layout

    [Fact]
    public async Task Content_is_a_plain_file_and_metadata_a_json_sidecar()
    {
        using var store = Open();
        const string key = "Hồ sơ 01/Quyết định số 5.txt";
        await PutTextAsync(store, key, "Nội dung quyết định", new PutObjectOptions { ContentType = "text/plain", Metadata = new Dictionary<string, string> { ["title"] = "Quyết định" } });

        Assert.Equal("Nội dung quyết định", await File.ReadAllTextAsync(ContentFile(key), Ct));
        using var sidecar = JsonDocument.Parse(await File.ReadAllBytesAsync(SidecarFile(key), Ct));
        Assert.Equal(Sha("Nội dung quyết định"), sidecar.RootElement.GetProperty("sha256").GetString());
        Assert.Equal(Encoding.UTF8.GetByteCount("Nội dung quyết định"), sidecar.RootElement.GetProperty("length").GetInt64());
        Assert.Equal("text/plain", sidecar.RootElement.GetProperty("contentType").GetString());
        Assert.Equal(key, sidecar.RootElement.GetProperty("key").GetString());

        // Nothing but the object and its sidecar; no staging leftovers.
        Assert.Equal([ContentFile(key)], Directory.GetFiles(Path.Combine(_root.Path, "objects"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(StagingRoot, "*.content", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Delete_prunes_empty_folders_in_both_trees()
    {
        using var store = Open();
        await PutTextAsync(store, "a/b/c/d.txt", "x");
        await PutTextAsync(store, "a/keep.txt", "y");
        Assert.True(await store.DeleteAsync("a/b/c/d.txt", Ct));
        Assert.False(Directory.Exists(Path.Combine(_root.Path, "objects", "a", "b")));
        Assert.False(Directory.Exists(Path.Combine(_root.Path, ".meta", "a", "b")));
        Assert.True(File.Exists(ContentFile("a/keep.txt")));
    }

    [Fact]
    public async Task Concurrent_deletes_of_one_folder_all_succeed_although_the_folder_is_pruned_under_them()
    {
        // Each delete fsyncs the folder it removed from; another delete (another key lock) may have pruned that folder
        // meanwhile. The audit journal deletes its intents this way, and a delete reported as failed appends an event twice.
        using var store = Open();
        for (var round = 0; round < 5; round++)
        {
            var keys = Enumerable.Range(0, 40).Select(i => $"audit/pending/{round}-{i}.json").ToList();
            foreach (var key in keys)
            {
                await PutTextAsync(store, key, key);
            }

            var deleted = await Task.WhenAll(keys.Select(k => Task.Run(async () => await store.DeleteAsync(k, Ct), Ct)));
            Assert.All(deleted, Assert.True);
            Assert.False(Directory.Exists(Path.Combine(_root.Path, "objects", "audit")));
        }
    }

    [Fact]
    public async Task Group_sync_shares_one_file_system_flush_between_concurrent_writes()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "syncfs(2) is Linux-only; elsewhere GroupSync falls back to Fsync.");
        using var store = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _root.Path, Durability = FileSystemDurability.GroupSync });
        Assert.Equal(FileSystemDurability.GroupSync, store.Durability);
        var before = store.GroupSyncFlushes;

        // 64 writers at once: each put waits for two flushes (staged files, then names), but writers share them.
        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () => await PutTextAsync(store, $"g/{i}", "nội dung " + i), Ct)));
        var flushes = store.GroupSyncFlushes - before;
        Assert.InRange(flushes, 2, (64 * 2) - 1);

        // Every write is complete and described.
        for (var i = 0; i < 64; i++)
        {
            var info = await store.StatAsync($"g/{i}", Ct);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("nội dung " + i))), info!.Sha256);
        }

        // Deletes and sidecar updates wait for a flush too.
        var flushesBeforeDelete = store.GroupSyncFlushes;
        Assert.True(await store.DeleteAsync("g/0", Ct));
        await store.SetLegalHoldAsync("g/1", true, Ct);
        Assert.True(store.GroupSyncFlushes >= flushesBeforeDelete + 3);
        Assert.True(await store.GetLegalHoldAsync("g/1", Ct));

        using var fsync = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = Path.Combine(_root.Path, "fsync") });
        Assert.Equal((FileSystemDurability.Fsync, 0L), (fsync.Durability, fsync.GroupSyncFlushes));
    }

    [Fact]
    public void An_unknown_durability_mode_is_refused()
    {
        var options = new FileSystemStoreOptions { RootPath = _root.Path, Durability = (FileSystemDurability)7 };
        Assert.Throws<ArgumentException>(() => new FileSystemObjectStore(options));
        var result = new FileSystemStoreOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("Durability", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_are_validated_and_relative_roots_resolved()
    {
        Assert.Throws<ArgumentException>(() => new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = "" }));
        Assert.Throws<ArgumentException>(() => new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = "/" }));

        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(_root.Path, "relative"));
        Assert.False(Path.IsPathRooted(relative));
        using var store = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = relative });
        Assert.Equal(Path.Combine(_root.Path, "relative"), store.RootPath);
        Assert.Equal(store.RootPath, store.ContainerName);
        await PutTextAsync(store, "x", "y");
        Assert.True(File.Exists(Path.Combine(_root.Path, "relative", "objects", "x")));
    }

    [Fact]
    public void Registration_replaces_earlier_stores_and_validates_options()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Moq.Mock.Of<IObjectStore>());
        new TestArchiveBuilder(services).AddFileSystemStorage(o => o.RootPath = _root.Path);
        using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<IObjectStore>();
            Assert.IsType<FileSystemObjectStore>(store);
            Assert.Same(store, provider.GetRequiredService<FileSystemObjectStore>());
            Assert.Single(provider.GetServices<IObjectStore>());
        }

        var invalid = new ServiceCollection();
        new TestArchiveBuilder(invalid).AddFileSystemStorage(o => o.RootPath = " ");
        using var bad = invalid.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("RootPath", ex.Message, StringComparison.Ordinal);
    }

    private sealed class TestArchiveBuilder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    [Fact]
    public async Task Dispose_releases_the_instance_staging_folder()
    {
        var store = Open();
        await PutTextAsync(store, "a", "b");
        Assert.Single(Directory.GetDirectories(StagingRoot));
        store.Dispose();
        Assert.Empty(Directory.GetFileSystemEntries(StagingRoot));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.StatAsync("a", Ct));
    }

    // ---------------------------------------------------------------- keys on a file system

    [Fact]
    public async Task An_object_and_a_folder_of_the_same_name_conflict_cleanly()
    {
        using var store = Open();
        await PutTextAsync(store, "a", "file");
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(() => PutTextAsync(store, "a/b", "inside"));
        Assert.Contains("conflicts", ex.Message, StringComparison.Ordinal);
        Assert.Equal("a/b", ex.Key);
        Assert.Null(await store.StatAsync("a/b", Ct));
        Assert.Equal("file", await ReadTextAsync(store, "a"));

        await PutTextAsync(store, "x/y", "inside");
        await Assert.ThrowsAsync<ArchiveStorageException>(() => PutTextAsync(store, "x", "file"));
        Assert.Null(await store.StatAsync("x", Ct));
        Assert.Null(await store.GetAsync("x", cancellationToken: Ct));
        Assert.DoesNotContain(Directory.GetFiles(StagingRoot, "*", SearchOption.AllDirectories), f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Files_put_by_hand_that_are_not_valid_keys_are_ignored()
    {
        using var store = Open();
        await PutTextAsync(store, "d/ok.txt", "ok");
        var objects = Path.Combine(_root.Path, "objects");
        await File.WriteAllTextAsync(Path.Combine(objects, "d", "Hồ sơ".Normalize(NormalizationForm.FormD)), "nfd", Ct);
        await File.WriteAllTextAsync(Path.Combine(objects, "d", "tab\tname"), "control", Ct);
        File.CreateSymbolicLink(Path.Combine(objects, "d", "link"), "/etc/hostname");
        Directory.CreateDirectory(Path.Combine(objects, "empty", "deeper"));

        var page = await store.ListPageAsync("", new ObjectListOptions { Delimited = true }, Ct);
        Assert.Equal(["d/"], page.CommonPrefixes);
        page = await store.ListPageAsync("d/", cancellationToken: Ct);
        Assert.Equal(["d/ok.txt"], page.Items.Select(i => i.Key));
        Assert.Null(await store.StatAsync("d/link", Ct));
        Assert.Null(await store.GetAsync("d/link", cancellationToken: Ct));
    }

    [Fact]
    public async Task Create_only_is_atomic_across_store_instances()
    {
        using var a = Open();
        using var b = Open();
        for (var round = 0; round < 20; round++)
        {
            var key = $"race/{round}";
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                try
                {
                    await PutTextAsync(i % 2 == 0 ? a : b, key, $"writer {i}", new PutObjectOptions { CreateOnly = true });
                    return i;
                }
                catch (ObjectAlreadyExistsException)
                {
                    return -1;
                }
            })));
            var winner = Assert.Single(results, r => r >= 0);
            Assert.Equal($"writer {winner}", await ReadTextAsync(a, key));
        }
    }

    // ---------------------------------------------------------------- staging (IObjectStagingStore)

    [Fact]
    public async Task A_staged_file_lives_in_the_instance_staging_folder_and_publishes_without_a_copy()
    {
        using var store = Open();
        var staged = await store.StageAsync(new MemoryStream(Encoding.UTF8.GetBytes("hồ sơ số hoá")), Ct);
        var stagedFile = Assert.Single(Directory.GetFiles(StagingRoot, "*.content", SearchOption.AllDirectories));

        await store.PublishAsync(staged, "doc/a.pdf", null, Ct);
        var objectFile = Path.Combine(_root.Path, "objects", "doc", "a.pdf");

        // One file with two names (a hard link), not a second copy of the bytes.
        Assert.Equal(File.GetLastWriteTimeUtc(stagedFile), File.GetLastWriteTimeUtc(objectFile));
        Assert.Equal(2, LinkCount(objectFile));

        staged.Dispose();
        Assert.False(File.Exists(stagedFile));
        Assert.Equal(1, LinkCount(objectFile));
        Assert.Equal("hồ sơ số hoá", await ReadTextAsync(store, "doc/a.pdf"));
        Assert.Equal(Sha("hồ sơ số hoá"), (await store.StatAsync("doc/a.pdf", Ct))?.Sha256);
        Assert.DoesNotContain(Directory.GetFiles(StagingRoot, "*", SearchOption.AllDirectories), f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_staged_file_changed_after_staging_is_never_published_under_the_staged_digest()
    {
        using var store = Open();
        using var staged = await store.StageAsync(new MemoryStream(Encoding.UTF8.GetBytes("original")), Ct);
        var stagedFile = Assert.Single(Directory.GetFiles(StagingRoot, "*.content", SearchOption.AllDirectories));

        // Same length, other bytes, written later (someone edited the staging folder by hand).
        await Task.Delay(20, Ct);
        await File.WriteAllTextAsync(stagedFile, "ORIGINAL", Ct);

        await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await store.PublishAsync(staged, "k", null, Ct));
        Assert.Null(await store.StatAsync("k", Ct));
        Assert.False(File.Exists(SidecarFile("k")));
    }

    [Fact]
    public async Task An_object_staged_by_another_store_is_refused()
    {
        using var store = Open();
        using var other = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = Path.Combine(_root.Path, "other") });
        using var staged = await other.StageAsync(new MemoryStream([1, 2, 3]), Ct);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.PublishAsync(staged, "k", null, Ct));
        Assert.Null(await store.StatAsync("k", Ct));
    }

    private static long LinkCount(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    // ---------------------------------------------------------------- recovery

    [Fact]
    public async Task Startup_removes_the_staging_of_dead_processes_but_not_of_live_ones()
    {
        using var live = Open();
        var liveStaging = Assert.Single(Directory.GetDirectories(StagingRoot));
        var inFlight = Path.Combine(liveStaging, "in-flight.content");
        await File.WriteAllBytesAsync(inFlight, [1, 2, 3], Ct);

        var dead = Path.Combine(StagingRoot, "0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(dead);
        await File.WriteAllBytesAsync(Path.Combine(dead, "partial.content"), new byte[4096], Ct);
        var deadWithLock = Path.Combine(StagingRoot, "fedcba9876543210fedcba9876543210");
        Directory.CreateDirectory(deadWithLock);
        await File.WriteAllBytesAsync(deadWithLock + ".lock", [], Ct);
        await File.WriteAllBytesAsync(Path.Combine(deadWithLock, "partial.content"), new byte[10], Ct);

        using var second = Open(recover: false);
        var report = await second.RecoverAsync(cancellationToken: Ct);
        Assert.Equal(2, report.AbandonedStagingFolders);
        Assert.Equal(2, report.StagingFilesDeleted);
        Assert.False(Directory.Exists(dead));
        Assert.False(Directory.Exists(deadWithLock));
        Assert.False(File.Exists(deadWithLock + ".lock"));
        Assert.True(File.Exists(inFlight), "recovery must not touch the staging folder of a live store");
    }

    [Fact]
    public async Task A_crash_between_content_and_sidecar_is_rolled_forward()
    {
        const string key = "doc/a.txt";
        byte[] oldSidecar, newSidecar;
        using (var store = Open())
        {
            await PutTextAsync(store, key, "old", new PutObjectOptions { ContentType = "text/plain" });
            oldSidecar = await File.ReadAllBytesAsync(SidecarFile(key), Ct);
            await PutTextAsync(store, key, "new content", new PutObjectOptions { ContentType = "text/markdown", Metadata = new Dictionary<string, string> { ["title"] = "Bản mới" } });
            newSidecar = await File.ReadAllBytesAsync(SidecarFile(key), Ct);
        }

        // The state a kill leaves between the content rename and the sidecar rename.
        await File.WriteAllBytesAsync(SidecarFile(key), oldSidecar, Ct);
        var dead = Directory.CreateDirectory(Path.Combine(StagingRoot, "deaddeaddeaddeaddeaddeaddeaddead")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(dead, "1.meta"), newSidecar, Ct);

        using var reopened = Open(recover: false);
        var stale = await reopened.StatAsync(key, Ct);
        Assert.NotNull(stale);
        Assert.Null(stale.Sha256);
        Assert.Null(stale.ContentType);
        Assert.Equal("new content", await ReadTextAsync(reopened, key));

        var report = await reopened.RecoverAsync(cancellationToken: Ct);
        Assert.Equal(1, report.SidecarsRolledForward);
        var repaired = await reopened.StatAsync(key, Ct);
        Assert.Equal(Sha("new content"), repaired?.Sha256);
        Assert.Equal("text/markdown", repaired?.ContentType);
        Assert.Equal("Bản mới", repaired?.Metadata["title"]);
    }

    [Fact]
    public async Task A_staged_sidecar_of_a_write_that_never_landed_is_discarded()
    {
        const string key = "k";
        byte[] otherSidecar;
        using (var store = Open())
        {
            await PutTextAsync(store, key, "never landed");
            otherSidecar = await File.ReadAllBytesAsync(SidecarFile(key), Ct);
            await PutTextAsync(store, key, "current");
        }

        var dead = Directory.CreateDirectory(Path.Combine(StagingRoot, "abcabcabcabcabcabcabcabcabcabcab")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(dead, "2.meta"), otherSidecar, Ct);
        await File.WriteAllBytesAsync(Path.Combine(dead, "2.content"), Encoding.UTF8.GetBytes("never landed"), Ct);

        using var reopened = Open(recover: false);
        var report = await reopened.RecoverAsync(cancellationToken: Ct);
        Assert.Equal(0, report.SidecarsRolledForward);
        Assert.Equal(1, report.StagingFilesDeleted);
        Assert.Equal(Sha("current"), (await reopened.StatAsync(key, Ct))?.Sha256);
    }

    [Fact]
    public async Task Full_scan_repairs_missing_and_stale_sidecars_and_removes_orphans()
    {
        using var store = Open();
        await PutTextAsync(store, "missing-sidecar", "one");
        await PutTextAsync(store, "edited/by-hand.txt", "two", new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Governance, DateTimeOffset.UtcNow.AddDays(1)) });
        await PutTextAsync(store, "orphan/x", "three");

        File.Delete(SidecarFile("missing-sidecar"));
        await File.AppendAllTextAsync(ContentFile("edited/by-hand.txt"), "!", Ct);
        File.Delete(ContentFile("orphan/x"));

        Assert.Null((await store.StatAsync("missing-sidecar", Ct))?.Sha256);
        Assert.Null((await store.StatAsync("edited/by-hand.txt", Ct))?.Sha256);
        // The lock of a stale sidecar still holds.
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await store.DeleteAsync("edited/by-hand.txt", Ct));

        var report = await store.RecoverAsync(fullScan: true, Ct);
        Assert.Equal(2, report.SidecarsRepaired);
        Assert.Equal(1, report.OrphanSidecarsDeleted);
        Assert.True(report.EmptyFoldersRemoved >= 2);

        Assert.Equal(Sha("one"), (await store.StatAsync("missing-sidecar", Ct))?.Sha256);
        Assert.Equal(Sha("two!"), (await store.StatAsync("edited/by-hand.txt", Ct))?.Sha256);
        Assert.Equal(RetentionMode.Governance, (await store.GetRetentionAsync("edited/by-hand.txt", Ct))?.Mode);
        Assert.False(Directory.Exists(Path.Combine(_root.Path, ".meta", "orphan")));
        Assert.False(Directory.Exists(Path.Combine(_root.Path, "objects", "orphan")));

        var again = await store.RecoverAsync(fullScan: true, Ct);
        Assert.Equal(0, again.SidecarsRepaired + again.OrphanSidecarsDeleted + again.EmptyFoldersRemoved);
    }

    // ---------------------------------------------------------------- IO failures

    [Fact]
    public async Task A_file_where_a_folder_is_needed_fails_cleanly()
    {
        using var store = Open();
        await PutTextAsync(store, "k", "v1");
        var staging = Assert.Single(Directory.GetDirectories(StagingRoot));
        Directory.Delete(staging, recursive: true);
        await File.WriteAllTextAsync(staging, "not a folder", Ct);
        try
        {
            var ex = await Assert.ThrowsAsync<ArchiveStorageException>(() => PutTextAsync(store, "k", "v2"));
            Assert.Equal("filesystem", ex.System);
            Assert.Equal(store.RootPath, ex.Container);
            Assert.Equal("put", ex.Operation);
            Assert.Equal("k", ex.Key);
            Assert.IsAssignableFrom<IOException>(ex.InnerException);

            await Assert.ThrowsAsync<ArchiveStorageException>(() => PutTextAsync(store, "new", "v"));
            Assert.Null(await store.StatAsync("new", Ct));
            Assert.Equal("v1", await ReadTextAsync(store, "k"));
            Assert.Equal(Sha("v1"), (await store.StatAsync("k", Ct))?.Sha256);
        }
        finally
        {
            File.Delete(staging);
        }
    }

    [Fact]
    public async Task An_immutable_folder_fails_writes_and_deletes_cleanly()
    {
        using var store = Open();
        await PutTextAsync(store, "locked/a.txt", "v1");
        var folder = Path.Combine(_root.Path, "objects", "locked");
        var (ok, output) = Run("chattr", "+i", folder);
        if (!ok)
        {
            Assert.Skip($"chattr +i is not available here ({output.Trim()}); needs root on ext4/xfs/btrfs.");
        }

        try
        {
            var ex = await Assert.ThrowsAsync<ArchiveStorageException>(() => PutTextAsync(store, "locked/a.txt", "v2"));
            Assert.NotNull(ex.InnerException);
            await Assert.ThrowsAsync<ArchiveStorageException>(() => PutTextAsync(store, "locked/b.txt", "new"));
            await Assert.ThrowsAsync<ArchiveStorageException>(async () => await store.DeleteAsync("locked/a.txt", Ct));

            Assert.Equal("v1", await ReadTextAsync(store, "locked/a.txt"));
            Assert.Equal(Sha("v1"), (await store.StatAsync("locked/a.txt", Ct))?.Sha256);
            Assert.Null(await store.StatAsync("locked/b.txt", Ct));
            Assert.Empty(Directory.GetFiles(StagingRoot, "*.content", SearchOption.AllDirectories));
            Assert.Empty(Directory.GetFiles(StagingRoot, "*.meta", SearchOption.AllDirectories));
        }
        finally
        {
            Run("chattr", "-i", folder);
        }
    }

    [Fact]
    public async Task A_full_disk_fails_the_write_and_frees_the_space()
    {
        var mountPoint = Path.Combine(_root.Path, "small-disk");
        Directory.CreateDirectory(mountPoint);
        var (ok, output) = Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint);
        if (!ok)
        {
            Assert.Skip($"Cannot mount a 1 MiB tmpfs to simulate a full disk ({output.Trim()}); needs root with CAP_SYS_ADMIN.");
        }

        try
        {
            using (var store = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = Path.Combine(mountPoint, "store") }))
            {
                await PutTextAsync(store, "keep.txt", "small");
                using var big = new GeneratedStream(4L * 1024 * 1024, 1);
                var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await store.PutAsync("big.bin", big, cancellationToken: Ct));
                Assert.IsAssignableFrom<IOException>(ex.InnerException);
                Assert.Equal("big.bin", ex.Key);

                Assert.Null(await store.StatAsync("big.bin", Ct));
                Assert.Equal("small", await ReadTextAsync(store, "keep.txt"));
                Assert.Empty(Directory.GetFiles(Path.Combine(mountPoint, "store", ".staging"), "*.content", SearchOption.AllDirectories));

                // The space of the failed write was given back.
                using var medium = new GeneratedStream(512 * 1024, 2);
                Assert.Equal(512 * 1024, (await store.PutAsync("medium.bin", medium, cancellationToken: Ct)).Length);
            }
        }
        finally
        {
            Run("umount", mountPoint);
        }
    }

    private static (bool Ok, string Output) Run(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode == 0, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (false, ex.Message);
        }
    }

    // ---------------------------------------------------------------- retention

    [Fact]
    public async Task Retention_is_advisory_the_folder_itself_is_not_worm()
    {
        using var store = Open();
        Assert.Equal(RetentionEnforcement.Advisory, store.GetRetention()!.Enforcement);
        await PutTextAsync(store, "held.txt", "x", new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Compliance, DateTimeOffset.UtcNow.AddYears(10)) });
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await store.DeleteAsync("held.txt", Ct));

        // Anyone with access to the folder can still remove it: that is what Advisory says.
        File.Delete(ContentFile("held.txt"));
        Assert.Null(await store.StatAsync("held.txt", Ct));
    }

    [Fact]
    public async Task Retention_and_legal_hold_survive_a_restart()
    {
        var until = DateTimeOffset.UtcNow.AddDays(30);
        until = new DateTimeOffset(until.Ticks - until.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        using (var store = Open())
        {
            await PutTextAsync(store, "a", "x");
            await store.SetRetentionAsync("a", new ObjectRetention(RetentionMode.Compliance, until), Ct);
            await store.SetLegalHoldAsync("a", true, Ct);
        }

        using var reopened = Open();
        Assert.Equal(new ObjectRetention(RetentionMode.Compliance, until), await reopened.GetRetentionAsync("a", Ct));
        Assert.True(await reopened.GetLegalHoldAsync("a", Ct));
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await reopened.DeleteAsync("a", Ct));
        await Assert.ThrowsAsync<ObjectLockedException>(async () =>
            await reopened.SetRetentionAsync("a", new ObjectRetention(RetentionMode.Compliance, until.AddDays(-1)), Ct));
        // The hold and retention stay with the content: the object is unchanged.
        Assert.Equal(Sha("x"), (await reopened.StatAsync("a", Ct))?.Sha256);
    }

    [Fact]
    public async Task Governance_retention_may_be_shortened_by_the_caller_and_expired_retention_no_longer_locks()
    {
        using var store = Open();
        await PutTextAsync(store, "g", "x", new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Governance, DateTimeOffset.UtcNow.AddDays(1)) });
        await store.SetRetentionAsync("g", new ObjectRetention(RetentionMode.Governance, DateTimeOffset.UtcNow.AddMilliseconds(200)), Ct);
        await Task.Delay(400, Ct);
        Assert.True(await store.DeleteAsync("g", Ct));

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(() => PutTextAsync(store, "past", "x", new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Governance, DateTimeOffset.UtcNow.AddDays(-1)) }));
        Assert.Equal("retention.in-past", ex.Errors[0].Rule);
    }
}

public sealed class FileSystemSourceFailureTests : IDisposable
{
    private readonly TempRoot _root = new("source");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_failing_source_is_reported_as_itself_not_as_a_storage_failure()
    {
        using var store = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _root.Path });
        var ex = await Assert.ThrowsAsync<IOException>(async () => await store.PutAsync("k", new FailingStream(1000), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("simulated", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root.Path, ".staging"), "*.content", SearchOption.AllDirectories));
    }
}
