using System.Text;
using Archive.Packages;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Xunit;

namespace Archive.Core.Tests.Packages;

/// <summary>
/// The package journal (OcflPackageStore.Journal.cs, issue #23): changes acknowledged as journal entries beside the OCFL
/// object and folded into one OCFL version every <see cref="OcflPackageStoreOptions.JournalLimit"/> entries read exactly
/// like one OCFL version per change, cost the same whatever the history, and survive crashes at every step.
/// </summary>
public sealed class PackageJournalTests : IDisposable
{
    private readonly PackageTempFolder _folder = new("journal");
    private readonly PackageTempFolder _referenceFolder = new("journal-ref");
    private readonly FileSystemObjectStore _inner;
    private readonly CountingStore _objects;

    public PackageJournalTests()
    {
        _inner = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path });
        _objects = new CountingStore(_inner);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _inner.Dispose();
        _folder.Dispose();
        _referenceFolder.Dispose();
    }

    private OcflPackageStore Journalled(int limit = 4) => new(_objects, new OcflPackageStoreOptions { JournalLimit = limit });

    private static async Task<string?> ReadAsync(IPackageStore store, string id, string path, int? version = null)
    {
        await using var content = await store.OpenFileAsync(id, path, version, cancellationToken: Ct);
        if (content is null)
        {
            return null;
        }

        using var reader = new StreamReader(content.Stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    private static readonly DateTimeOffset T0 = new(2026, 12, 8, 1, 0, 0, TimeSpan.Zero);

    /// <summary>Change <paramref name="i"/> of a fixed sequence: puts (new, replaced, duplicate content), removals, several files at once.</summary>
    private static PackageCommit Change(int i, int expectedHead)
    {
        var commit = new PackageCommit { ExpectedHead = expectedHead, Message = $"thay đổi {i}", UserName = $"van-thu-{i % 3}", UserAddress = "urn:agency:so-noi-vu", Created = T0.AddMinutes(i) };
        commit.Put("metadata.json", new MemoryStream(Encoding.UTF8.GetBytes($"{{\"sửa\":{i}}}")));
        if (i % 2 == 0)
        {
            commit.Put($"documents/{i:D3}/content/van-ban-{i}.txt", new MemoryStream(Encoding.UTF8.GetBytes($"Văn bản số {i}")));
        }

        if (i % 5 == 0)
        {
            commit.Put($"documents/{i:D3}/content/ban-sao.txt", new MemoryStream(Encoding.UTF8.GetBytes("bản sao giống nhau"))); // the same content again and again
        }

        if (i % 7 == 0 && i > 2)
        {
            commit.Remove($"documents/{i - 3 - (i - 3) % 2:D3}/content/van-ban-{i - 3 - (i - 3) % 2}.txt");
        }

        return commit;
    }

    [Fact]
    public async Task A_journalled_package_reads_version_by_version_like_one_OCFL_version_per_change_before_and_after_folds_and_restarts()
    {
        using var referenceObjects = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _referenceFolder.Path });
        var reference = new OcflPackageStore(referenceObjects);
        var store = Journalled(limit: 4);
        const string id = "hồ sơ 01/2026";
        var tags = new Dictionary<int, string>();
        for (var i = 0; i < 19; i++)
        {
            var expected = await reference.CommitAsync(id, Change(i, i), Ct);
            var actual = await store.CommitAsync(id, Change(i, i), Ct);
            Assert.Equal(expected.Head, actual.Head);
            tags[actual.Head] = actual.InventoryDigest;
            Assert.Equal(actual.InventoryDigest, (await store.GetInventoryAsync(id, Ct))!.InventoryDigest);
        }

        // 19 versions: v1 plain, 16 entries folded four at a time into v2..v5, two live entries.
        var root = store.GetObjectRoot(id);
        Assert.NotNull(await _inner.StatAsync(root + "v5/inventory.json", Ct));
        Assert.Null(await _inner.StatAsync(root + "v6/inventory.json", Ct));
        Assert.NotNull(await EntryKeyAsync(root, 19));
        Assert.Null(await EntryKeyAsync(root, 17));

        await AssertSameAsync(reference, store, id, tags);

        // Another process (no cache) reads the journal from storage; its recovery changes nothing and the package verifies.
        var restarted = Journalled(limit: 4);
        await AssertSameAsync(reference, restarted, id, tags);
        Assert.Equal(0, (await restarted.RecoverAsync(Ct)).ObjectsDeleted);
        var report = await restarted.VerifyAsync(id, Ct);
        Assert.True(report.IsValid, string.Join("; ", report.Problems));

        // Switched off: recovery settles the live entries, and further changes are versions of their own with the same numbers.
        var plain = new OcflPackageStore(_objects);
        await plain.RecoverAsync(Ct);
        Assert.NotNull(await _inner.StatAsync(root + "v6/inventory.json", Ct));
        Assert.Equal(tags[19], (await plain.GetInventoryAsync(id, Ct))!.InventoryDigest); // the tag of version 19 from before the fold
        Assert.Null(await EntryKeyAsync(root, 19));
        for (var i = 19; i < 22; i++)
        {
            await reference.CommitAsync(id, Change(i, i), Ct);
            tags[i + 1] = (await plain.CommitAsync(id, Change(i, i), Ct)).InventoryDigest;
        }

        await AssertSameAsync(reference, plain, id, tags);
        Assert.True((await plain.VerifyAsync(id, Ct)).IsValid);
    }

    private static async Task AssertSameAsync(IPackageStore reference, IPackageStore store, string id, Dictionary<int, string> tags)
    {
        var expected = (await reference.GetInventoryAsync(id, Ct))!;
        var actual = (await store.GetInventoryAsync(id, Ct))!;
        Assert.Equal(expected.Head, actual.Head);
        Assert.Equal(tags[actual.Head], actual.InventoryDigest); // a fold does not change the tag of the version it settles
        Assert.Equal(expected.Versions.Count, actual.Versions.Count);
        for (var k = 1; k <= expected.Head; k++)
        {
            var e = expected.Versions[k - 1];
            var a = actual.Versions[k - 1];
            Assert.Equal((e.Number, e.Created, e.Message, e.UserName, e.UserAddress), (a.Number, a.Created, a.Message, a.UserName, a.UserAddress));
            Assert.Equal(e.Files, a.Files);
            foreach (var file in e.Files)
            {
                Assert.Equal(await ReadAsync(reference, id, file.LogicalPath, k), await ReadAsync(store, id, file.LogicalPath, k));
            }

            Assert.Null(await ReadAsync(store, id, "documents/999/content/none.txt", k));
        }
    }

    [Fact]
    public async Task A_change_costs_its_own_bytes_and_one_entry_whatever_the_history()
    {
        var store = Journalled(limit: 1000);
        const string id = "flat";
        await store.CommitAsync(id, new PackageCommit().Put("metadata.json", new MemoryStream("{}"u8.ToArray())), Ct);
        var costs = new List<(long Bytes, int Puts)>();
        for (var i = 1; i <= 300; i++)
        {
            var (bytes, puts) = (_objects.BytesWritten, _objects.Puts);
            var commit = new PackageCommit { ExpectedHead = i, UserName = "van-thu" }
                .Put($"documents/{i:D4}/content/a.pdf", new MemoryStream(new byte[5000 + i]))
                .Put("metadata.json", new MemoryStream(Encoding.UTF8.GetBytes($"{{\"documents\":{i}}}")));
            await store.CommitAsync(id, commit, Ct);
            costs.Add((_objects.BytesWritten - bytes, _objects.Puts - puts));
        }

        // Two content files and one entry per change; the 300th writes no more than the 10th beyond its larger file.
        Assert.All(costs, c => Assert.Equal(3, c.Puts));
        Assert.True(costs[299].Bytes - costs[9].Bytes <= 300, $"10th: {costs[9].Bytes} B, 300th: {costs[299].Bytes} B");
        Assert.Equal(301, (await store.GetInventoryAsync(id, Ct))!.Head);
        Assert.Equal(301, (await store.GetInventoryAsync(id, Ct))!.HeadVersion.Files.Count);
    }

    [Fact]
    public async Task Crashes_at_each_step_leave_the_old_state_or_the_new_one_and_recovery_cleans_up()
    {
        var store = Journalled(limit: 3);
        const string id = "crash";
        await store.CommitAsync(id, Change(0, 0), Ct);
        await store.CommitAsync(id, Change(1, 1), Ct); // entry 2
        var root = store.GetObjectRoot(id);
        var before = (await store.GetInventoryAsync(id, Ct))!;

        // (1) Killed after writing content, before its entry: nothing visible, the content is an unexpected leftover.
        await _inner.PutBytesAsync(root + "extensions/archive-journal/content/0000000003-deadbeef0000/metadata.json", "{\"half\":1}"u8.ToArray(), cancellationToken: Ct);
        // (2) A fold killed before its commit point: its fold document and copied content, no version inventory.
        await _inner.PutBytesAsync(root + "extensions/archive-journal/folds/v2.json", "{\"ocflVersion\":\"v2\",\"entries\":[]}"u8.ToArray(), cancellationToken: Ct);
        await _inner.PutBytesAsync(root + "v2/content/metadata.json", "{}"u8.ToArray(), cancellationToken: Ct);
        // (3) An entry of an earlier life of the package (made on another root inventory).
        var stale = Encoding.UTF8.GetBytes($"{{\"version\":3,\"base\":\"{new string('0', 64)}\",\"created\":\"2026-01-01T00:00:00Z\",\"changes\":[{{\"path\":\"metadata.json\"}}]}}");
        await _inner.PutBytesAsync(root + $"extensions/archive-journal/entries/0000000003-{Sha(stale)}.json", stale, cancellationToken: Ct);
        var reader = Journalled(limit: 3);
        Assert.Equal(before.Head, (await reader.GetInventoryAsync(id, Ct))!.Head);
        Assert.Equal(before.InventoryDigest, (await reader.GetInventoryAsync(id, Ct))!.InventoryDigest);
        Assert.Contains((await reader.VerifyAsync(id, Ct)).Problems, p => p.Kind == FixityProblemKind.UnexpectedFile && p.Path.StartsWith("extensions/archive-journal/content/0000000003-", StringComparison.Ordinal));

        var recovered = await reader.RecoverAsync(Ct);
        Assert.True(recovered.ObjectsDeleted >= 4, $"{recovered.ObjectsDeleted} objects deleted");
        Assert.Null(await EntryKeyAsync(root, 3));
        var report = await reader.VerifyAsync(id, Ct);
        Assert.True(report.IsValid, string.Join("; ", report.Problems));
        Assert.Equal(before.Head, (await reader.GetInventoryAsync(id, Ct))!.Head);

        // (4) A fold killed after its commit point, before removing what it folded: the folded entries are ignored.
        var entry2Key = (await EntryKeyAsync(root, 2))!;
        var entry2 = await ReadBytesAsync(entry2Key);
        await reader.CommitAsync(id, Change(2, 2), Ct);
        var folded = await reader.CommitAsync(id, Change(3, 3), Ct); // the third live entry: folded into v2
        Assert.NotNull(await _inner.StatAsync(root + "v2/inventory.json", Ct));
        Assert.Null(await EntryKeyAsync(root, 2));
        await _inner.PutBytesAsync(entry2Key, entry2, cancellationToken: Ct);
        var afterCrash = Journalled(limit: 3);
        Assert.Equal(folded.InventoryDigest, (await afterCrash.GetInventoryAsync(id, Ct))!.InventoryDigest);
        Assert.Equal(5, (await afterCrash.CommitAsync(id, Change(4, 4), Ct)).Head);
        await afterCrash.RecoverAsync(Ct);
        Assert.Null(await EntryKeyAsync(root, 2));
        Assert.True((await afterCrash.VerifyAsync(id, Ct)).IsValid);
        Assert.Equal(5, (await afterCrash.GetInventoryAsync(id, Ct))!.Head);
    }

    [Fact]
    public async Task Readers_building_the_view_from_storage_never_set_back_the_view_a_commit_builds_on()
    {
        const string id = "readers";
        await Journalled(limit: 10_000).CommitAsync(id, Change(0, 0), Ct);
        var head = 1;
        for (var round = 0; round < 20; round++)
        {
            // A fresh process: its first readers build the view from storage while its commits run.
            var store = Journalled(limit: 10_000);
            var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(
                async () =>
                {
                    CountingStore.SlowEntryListings.Value = true;
                    return await store.GetInventoryAsync(id, Ct);
                },
                Ct)).ToArray();
            for (var i = 0; i < 3; i++)
            {
                if (i == 2)
                {
                    await Task.WhenAll(readers); // whatever they cached, the next commit builds on the latest version
                }

                Assert.Equal(++head, (await store.CommitAsync(id, new PackageCommit().Put($"r{round}-{i}.txt", new MemoryStream(Encoding.UTF8.GetBytes($"{round}/{i}"))), Ct)).Head);
            }
        }

        var inventory = (await Journalled().GetInventoryAsync(id, Ct))!;
        Assert.Equal(head, inventory.Head);
        Assert.Equal(60, inventory.HeadVersion.Files.Count(f => f.LogicalPath.StartsWith('r')));
    }

    [Fact]
    public async Task Content_a_fold_kept_as_superseded_and_used_again_moves_into_the_next_version_and_the_package_verifies()
    {
        var store = Journalled(limit: 2);
        const string id = "superseded";
        PackageCommit Put(string text) => new PackageCommit().Put("a.txt", new MemoryStream(Encoding.UTF8.GetBytes(text)));
        await store.CommitAsync(id, Put("A"), Ct);
        await store.CommitAsync(id, Put("B"), Ct);
        await store.CommitAsync(id, Put("C"), Ct); // folded into v2: "B" is superseded and stays in the journal
        Assert.True((await store.VerifyAsync(id, Ct)).IsValid);
        await store.CommitAsync(id, Put("B"), Ct); // the same bytes again: not stored twice
        await store.CommitAsync(id, new PackageCommit().Put("b.txt", new MemoryStream("x"u8.ToArray())), Ct); // folded into v3, which holds "B"

        var report = await store.VerifyAsync(id, Ct);
        Assert.True(report.IsValid, string.Join("; ", report.Problems));
        var reader = Journalled(limit: 2);
        Assert.Equal(["A", "B", "C", "B", "B"], await Task.WhenAll(Enumerable.Range(1, 5).Select(k => ReadAsync(reader, id, "a.txt", k)!)));
        Assert.Equal(0, (await reader.RecoverAsync(Ct)).ObjectsDeleted);
    }

    [Fact]
    public async Task Bad_changes_and_concurrency_conflicts_leave_nothing_in_the_journal()
    {
        var store = Journalled();
        const string id = "bad";
        await store.CommitAsync(id, Change(0, 0), Ct);
        var root = store.GetObjectRoot(id);
        var keys = await KeysAsync(root);

        await Assert.ThrowsAsync<PackageConcurrencyException>(async () => await store.CommitAsync(id, Change(1, 0), Ct));
        await Assert.ThrowsAsync<ArchiveValidationException>(async () => await store.CommitAsync(id, new PackageCommit().Remove("missing.txt"), Ct));
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await store.CommitAsync(id, new PackageCommit().Put("a.txt", new MemoryStream("x"u8.ToArray()), new string('0', 64)), Ct));
        Assert.Equal(keys, await KeysAsync(root));
        Assert.Equal(1, (await store.GetInventoryAsync(id, Ct))!.Head);

        // Concurrent commits without an expected head all land, one logical version each.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async i => await store.CommitAsync(id, new PackageCommit().Put($"f{i}.txt", new MemoryStream(Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))), Ct)));
        var inventory = (await store.GetInventoryAsync(id, Ct))!;
        Assert.Equal(9, inventory.Head);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"f{i}.txt"), inventory.HeadVersion.Files.Select(f => f.LogicalPath).Where(p => p.StartsWith('f')).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Fixity_re_hashes_journal_content_and_purge_removes_the_journal()
    {
        var store = Journalled(limit: 100);
        const string id = "fixity";
        await store.CommitAsync(id, Change(0, 0), Ct);
        await store.CommitAsync(id, new PackageCommit().Put("a.txt", new MemoryStream("nội dung"u8.ToArray())), Ct);
        var root = store.GetObjectRoot(id);
        var content = (await KeysAsync(root)).Single(k => k.Contains("/content/", StringComparison.Ordinal) && k.EndsWith("a.txt", StringComparison.Ordinal));
        var bytes = await ReadBytesAsync(content);
        bytes[0] ^= 0xFF;
        await _inner.PutBytesAsync(content, bytes, cancellationToken: Ct);

        var problem = Assert.Single((await store.VerifyAsync(id, Ct)).Problems);
        Assert.Equal(FixityProblemKind.ContentDigestMismatch, problem.Kind);
        await Assert.ThrowsAnyAsync<ArchiveException>(() => ReadAsync(store, id, "a.txt"));

        // A flipped byte in an entry: its name holds its digest, so the package is reported (and refused), not misread.
        await _inner.PutBytesAsync(content, (await ReadBytesAsync(content)).Select((b, i) => i == 0 ? (byte)(b ^ 0xFF) : b).ToArray(), cancellationToken: Ct);
        var entryKey = (await EntryKeyAsync(root, 2))!;
        var entry = await ReadBytesAsync(entryKey);
        entry[entry.Length / 2] ^= 0x01;
        await _inner.PutBytesAsync(entryKey, entry, cancellationToken: Ct);
        var restarted = Journalled(limit: 100);
        Assert.Contains((await restarted.VerifyAsync(id, Ct)).Problems, p => p.Kind == FixityProblemKind.InventoryCorrupt && entryKey.EndsWith(p.Path, StringComparison.Ordinal));
        await Assert.ThrowsAsync<PackageCorruptException>(async () => await restarted.GetInventoryAsync(id, Ct));

        await store.PurgeAsync(id, Ct);
        Assert.Empty(await KeysAsync(root));
        Assert.Null(await store.GetInventoryAsync(id, Ct));
    }

    [Fact]
    public async Task A_storage_root_that_becomes_shared_settles_the_journal_at_start_up_and_keeps_every_version()
    {
        using var referenceObjects = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _referenceFolder.Path });
        var reference = new OcflPackageStore(referenceObjects);
        const string id = "becomes-shared";
        var single = Journalled(limit: 2);
        for (var i = 0; i < 5; i++)
        {
            await reference.CommitAsync(id, Change(i, i), Ct);
            await single.CommitAsync(id, Change(i, i), Ct); // v1, entries 2-3 folded into v2, entries 4-5 live
        }

        var shared = new OcflPackageStore(new CoordinatedLike(_objects), new OcflPackageStoreOptions { SharedStorage = true });
        await shared.RecoverAsync(Ct); // settles entries 4-5 into v3
        var tags = new Dictionary<int, string> { [5] = (await shared.GetInventoryAsync(id, Ct))!.InventoryDigest };
        await AssertSameAsync(reference, shared, id, tags);
        await reference.CommitAsync(id, Change(5, 5), Ct);
        tags[6] = (await shared.CommitAsync(id, Change(5, 5), Ct)).InventoryDigest;
        await AssertSameAsync(reference, shared, id, tags);
        Assert.True((await shared.VerifyAsync(id, Ct)).IsValid);

        // A package never journalled costs a shared root's reads no listing.
        await shared.CommitAsync("plain", Change(0, 0), Ct);
        var lists = _objects.Lists;
        Assert.Equal(1, (await shared.GetInventoryAsync("plain", Ct))!.Head);
        Assert.Equal("{\"sửa\":0}", await ReadAsync(shared, "plain", "metadata.json"));
        Assert.Equal(lists, _objects.Lists);
    }

    [Fact]
    public void A_journal_on_a_shared_storage_root_is_refused_with_its_rule()
    {
        var ex = Assert.Throws<ArchiveValidationException>(() => new OcflPackageStore(new CoordinatedLike(_inner), new OcflPackageStoreOptions { JournalLimit = 8, SharedStorage = true }));
        Assert.Contains(ex.Errors, e => e.Field == "journalLimit" && e.Rule == "options.journal-needs-one-writer");
        ex = Assert.Throws<ArchiveValidationException>(() => new OcflPackageStore(_inner, new OcflPackageStoreOptions { JournalLimit = -1 }));
        Assert.Contains(ex.Errors, e => e.Field == "journalLimit" && e.Rule == "options.negative");
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    /// <summary>The key of the live journal entry of logical version <paramref name="version"/>, or null.</summary>
    private async Task<string?> EntryKeyAsync(string root, int version)
        => (await KeysAsync(root + "extensions/archive-journal/entries/")).SingleOrDefault(k => k.Contains($"/{version:D10}-", StringComparison.Ordinal));

    private async Task<byte[]> ReadBytesAsync(string key)
    {
        await using var content = await _inner.GetAsync(key, cancellationToken: Ct);
        using var buffer = new MemoryStream();
        await content!.Stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    private async Task<List<string>> KeysAsync(string root)
    {
        var keys = new List<string>();
        await foreach (var item in _inner.ListAsync(root, cancellationToken: Ct))
        {
            keys.Add(item.Key);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Counts puts and bytes put; can slow down listings of journal entries (to widen races).</summary>
    private sealed class CountingStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public long BytesWritten;
        public int Puts;
        /// <summary>Set in a reader's flow: its listings of journal entries are old by the time it uses them.</summary>
        public static readonly AsyncLocal<bool> SlowEntryListings = new();

        public int Lists;

        public override async ValueTask<ObjectListPage> ListPageAsync(string prefix, ObjectListOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Lists);
            var page = await base.ListPageAsync(prefix, options, cancellationToken);
            if (SlowEntryListings.Value && prefix.EndsWith("/archive-journal/entries/", StringComparison.Ordinal))
            {
                await Task.Delay(300, cancellationToken);
            }

            return page;
        }

        public override async ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
        {
            var info = await base.PutAsync(key, content, options, cancellationToken);
            Interlocked.Add(ref BytesWritten, info.Length);
            Interlocked.Increment(ref Puts);
            return info;
        }
    }

    /// <summary>A store that reports atomic create-only writes (as a coordinated S3 store does).</summary>
    private sealed class CoordinatedLike(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public override ObjectStoreCapabilities Capabilities => base.Capabilities | ObjectStoreCapabilities.AtomicCreateOnly;
    }
}
