using System.Text;
using Archive.Packages;
using Archive.Testing.Storage;
using Archive.Storage;
using Xunit;

namespace Archive.Testing.Packages;

/// <summary>
/// The contract of <see cref="IPackageStore"/> (OCFL packages) over a given <see cref="IObjectStore"/>, run against
/// every object store provider so that the commit protocol is proven on each (a folder, S3, ...).
/// </summary>
/// <remarks>
/// A subclass supplies the object store and builds the package store over it with the storage-root prefix the test
/// passes (unique per test). The tests find stored files through the object store's listing by their OCFL names, so
/// they need no knowledge of the storage layout beyond "the object root folder of an id made of [A-Za-z0-9-_] is the id".
/// </remarks>
public abstract class PackageStoreConformanceTests : IAsyncLifetime
{
    private IObjectStore? _objects;
    private IPackageStore? _packages;

    /// <summary>Creates (or hands out) the object store underneath.</summary>
    protected abstract ValueTask<IObjectStore> CreateObjectStoreAsync();

    /// <summary>Builds the package store over <paramref name="objects"/> with its storage root at <paramref name="prefix"/>.</summary>
    protected abstract IPackageStore CreatePackageStore(IObjectStore objects, string prefix);

    /// <summary>Releases the object store after a test; by default disposes it when it is disposable.</summary>
    protected virtual async ValueTask DisposeObjectStoreAsync(IObjectStore store)
    {
        switch (store)
        {
            case IAsyncDisposable a:
                await a.DisposeAsync();
                break;
            case IDisposable d:
                d.Dispose();
                break;
        }
    }

    /// <summary>Called after writes and before listings, for stores whose listings are eventually consistent.</summary>
    protected virtual ValueTask WaitForConsistencyAsync() => ValueTask.CompletedTask;

    /// <summary>The object store under test.</summary>
    protected IObjectStore Objects => _objects ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>The package store under test.</summary>
    protected IPackageStore Packages => _packages ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>The storage-root prefix of this test (no trailing '/').</summary>
    protected string Prefix { get; } = "p" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync()
    {
        _objects = await CreateObjectStoreAsync();
        _packages = CreatePackageStore(_objects, Prefix);
    }

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_objects is not null)
        {
            await DisposeObjectStoreAsync(_objects);
        }

        GC.SuppressFinalize(this);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>UTF-8 text as a non-seekable stream.</summary>
    protected static Stream Text(string text) => new NonSeekableStream(Encoding.UTF8.GetBytes(text));

    /// <summary>SHA-256 of UTF-8 text.</summary>
    protected static string Sha(string text) => StreamAssert.Sha256(Encoding.UTF8.GetBytes(text));

    /// <summary>Reads a package file as UTF-8 text; null when absent.</summary>
    protected async Task<string?> ReadTextAsync(string id, string path, int? version = null)
    {
        await using var content = await Packages.OpenFileAsync(id, path, version, cancellationToken: Ct);
        return content is null ? null : Encoding.UTF8.GetString(await StreamAssert.ReadAllAsync(content.Stream, Ct));
    }

    /// <summary>Every stored key under this test's storage root.</summary>
    protected async Task<List<string>> StoredKeysAsync()
    {
        await WaitForConsistencyAsync();
        var keys = new List<string>();
        await foreach (var item in Objects.ListAsync(Prefix + "/", cancellationToken: Ct))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    /// <summary>The object-root key (ending in '/') of a committed package whose id uses only [A-Za-z0-9-_].</summary>
    protected async Task<string> ObjectRootAsync(string id)
    {
        var suffix = "/" + id + "/inventory.json";
        var key = (await StoredKeysAsync()).Single(k => k.EndsWith(suffix, StringComparison.Ordinal));
        return key[..^"inventory.json".Length];
    }

    private async Task<PackageInventory> CommitAsync(string id, int? expectedHead, params (string Path, string? Text)[] changes)
    {
        var commit = new PackageCommit { ExpectedHead = expectedHead, Message = $"commit of {changes.Length} change(s)", UserName = "Nguyễn Văn A", UserAddress = "mailto:a@example.vn" };
        foreach (var (path, text) in changes)
        {
            if (text is null)
            {
                commit.Remove(path);
            }
            else
            {
                commit.Put(path, Text(text));
            }
        }

        return await Packages.CommitAsync(id, commit, Ct);
    }

    private async Task FlipFirstByteAsync(string key)
    {
        byte[] bytes;
        await using (var content = await Objects.GetAsync(key, cancellationToken: Ct))
        {
            Assert.NotNull(content);
            bytes = await StreamAssert.ReadAllAsync(content.Stream, Ct);
        }

        bytes[0] ^= 0x20;
        await Objects.PutBytesAsync(key, bytes, cancellationToken: Ct);
    }

    // ---------------------------------------------------------------- versions and history

    /// <summary>Versions accumulate and history stays readable.</summary>
    [Fact]
    public async Task Versions_accumulate_and_history_stays_readable()
    {
        const string id = "hs-2024-001";
        var created = new DateTimeOffset(2024, 5, 17, 8, 30, 0, TimeSpan.FromHours(7));
        var v1 = await Packages.CommitAsync(id, new PackageCommit { ExpectedHead = 0, Message = "Lập hồ sơ", UserName = "Trần Thị B", UserAddress = "urn:agency:G09", Created = created }
            .Put("a.txt", Text("một"))
            .Put("tài liệu/Quyết định.pdf", Text("quyết định số 12")), Ct);
        Assert.Equal(1, v1.Head);
        Assert.Equal(id, v1.PackageId);
        Assert.Equal(64, v1.InventoryDigest.Length);

        var v2 = await CommitAsync(id, 1, ("a.txt", "hai"), ("b.txt", "ba"));
        var v3 = await CommitAsync(id, 2, ("tài liệu/Quyết định.pdf", null));
        Assert.Equal(3, v3.Head);
        Assert.NotEqual(v2.InventoryDigest, v3.InventoryDigest);

        var inventory = await Packages.GetInventoryAsync(id, Ct);
        Assert.NotNull(inventory);
        Assert.Equal(3, inventory.Head);
        Assert.Equal(v3.InventoryDigest, inventory.InventoryDigest);
        Assert.Equal([1, 2, 3], inventory.Versions.Select(v => v.Number));

        var first = inventory.Versions[0];
        Assert.Equal("Lập hồ sơ", first.Message);
        Assert.Equal("Trần Thị B", first.UserName);
        Assert.Equal("urn:agency:G09", first.UserAddress);
        Assert.Equal(created, first.Created);
        Assert.Equal(["a.txt", "tài liệu/Quyết định.pdf"], first.Files.Select(f => f.LogicalPath));
        Assert.Equal(new PackageFile("a.txt", Sha("một"), Encoding.UTF8.GetByteCount("một")), first.Files[0]);

        Assert.Equal(["a.txt", "b.txt", "tài liệu/Quyết định.pdf"], inventory.Versions[1].Files.Select(f => f.LogicalPath));
        Assert.Equal(["a.txt", "b.txt"], inventory.HeadVersion.Files.Select(f => f.LogicalPath));
        Assert.Equal(Sha("hai"), inventory.HeadVersion.Files[0].Sha256);

        Assert.Equal("hai", await ReadTextAsync(id, "a.txt"));
        Assert.Equal("một", await ReadTextAsync(id, "a.txt", 1));
        Assert.Equal("hai", await ReadTextAsync(id, "a.txt", 2));
        Assert.Equal("quyết định số 12", await ReadTextAsync(id, "tài liệu/Quyết định.pdf", 2));
        Assert.Null(await ReadTextAsync(id, "tài liệu/Quyết định.pdf"));
        Assert.Null(await ReadTextAsync(id, "a.txt", 4));
        Assert.Null(await ReadTextAsync(id, "a.txt", 0));
        Assert.Null(await ReadTextAsync(id, "missing.txt"));
    }

    // ---------------------------------------------------------------- capabilities

    /// <summary>GetService answers the store itself for its own types, null for unknown types or keys.</summary>
    [Fact]
    public void GetService_answers_the_store_itself_for_its_own_types_and_null_otherwise()
    {
        Assert.Same(Packages, Packages.GetService(Packages.GetType()));
        Assert.Same(Packages, Packages.GetService<IPackageStore>());
        Assert.Null(Packages.GetService<IUnknownCapability>());
        Assert.Null(Packages.GetService(typeof(IPackageStore), serviceKey: "unknown-key"));
        Assert.Throws<ArgumentNullException>(() => Packages.GetService(null!));
    }

    /// <summary>A decorator forwards GetService, recovery and fixity to the store it wraps.</summary>
    [Fact]
    public async Task GetService_recovery_and_fixity_are_forwarded_by_a_decorator()
    {
        const string id = "decorated";
        var decorated = new PassThroughStore(Packages);
        Assert.Same(decorated, decorated.GetService<IPackageStore>());
        Assert.Same(Packages, decorated.GetService(Packages.GetType()));
        Assert.Same(Packages.GetService<IPackagePurger>(), decorated.GetService<IPackagePurger>());
        Assert.Null(decorated.GetService<IUnknownCapability>());

        await decorated.CommitAsync(id, new PackageCommit { ExpectedHead = 0 }.Put("a.txt", Text("một")), Ct);
        Assert.Equal("một", await ReadTextAsync(id, "a.txt"));
        Assert.True((await decorated.VerifyAsync(id, Ct)).IsValid);
        var report = await decorated.RecoverAsync(Ct);
        Assert.Equal(0, report.ObjectsDeleted);
        Assert.Empty(report.CorruptPackages);
        Assert.Equal("một", await ReadTextAsync(id, "a.txt"));
    }

    /// <summary>Purging (when the store offers <see cref="IPackagePurger"/>) removes every version of one package only.</summary>
    [Fact]
    public async Task Purge_removes_every_version_of_the_package_when_offered()
    {
        var purger = Packages.GetService<IPackagePurger>();
        Assert.SkipWhen(purger is null, "The store does not offer IPackagePurger.");
        await CommitAsync("purged", 0, ("a.txt", "1"));
        await CommitAsync("purged", 1, ("a.txt", "2"), ("b.txt", "3"));
        await CommitAsync("kept", 0, ("a.txt", "1"));

        Assert.True(await purger.PurgeAsync("purged", Ct) > 0);

        Assert.Null(await Packages.GetInventoryAsync("purged", Ct));
        Assert.Null(await ReadTextAsync("purged", "a.txt", 1));
        await WaitForConsistencyAsync();
        var ids = new List<string>();
        await foreach (var packageId in Packages.ListPackagesAsync(cancellationToken: Ct))
        {
            ids.Add(packageId);
        }

        Assert.Equal(["kept"], ids);
        Assert.True((await Packages.VerifyAsync("kept", Ct)).IsValid);
        Assert.Equal(0, await purger.PurgeAsync("purged", Ct));
    }

    /// <summary>A capability no store offers.</summary>
    private interface IUnknownCapability;

    private sealed class PassThroughStore(IPackageStore inner) : DelegatingPackageStore(inner);

    /// <summary>Absent packages answer null.</summary>
    [Fact]
    public async Task Absent_packages_answer_null()
    {
        Assert.Null(await Packages.GetInventoryAsync("không-tồn-tại", Ct));
        Assert.Null(await Packages.OpenFileAsync("không-tồn-tại", "a.txt", cancellationToken: Ct));
        var report = await Packages.VerifyAsync("không-tồn-tại", Ct);
        Assert.False(report.IsValid);
    }

    /// <summary>Decomposed vietnamese id and path name the same package.</summary>
    [Fact]
    public async Task Decomposed_vietnamese_id_and_path_name_the_same_package()
    {
        var id = "Hồ sơ 01/2024";
        await Packages.CommitAsync(id.Normalize(NormalizationForm.FormD), new PackageCommit().Put("Công văn.txt".Normalize(NormalizationForm.FormD), Text("x")), Ct);
        var inventory = await Packages.GetInventoryAsync(id, Ct);
        Assert.NotNull(inventory);
        Assert.Equal(id, inventory.PackageId);
        Assert.Equal("Công văn.txt", inventory.HeadVersion.Files.Single().LogicalPath);
        Assert.Equal("x", await ReadTextAsync(id.Normalize(NormalizationForm.FormD), "Công văn.txt"));
    }

    /// <summary>Ranged and large streamed files.</summary>
    [Fact]
    public async Task Ranged_and_large_streamed_files()
    {
        const string id = "large";
        const long length = 8L * 1024 * 1024 + 3;
        using var source = new GeneratedStream(length, 11);
        var inventory = await Packages.CommitAsync(id, new PackageCommit().Put("data/big.bin", source), Ct);
        var file = inventory.HeadVersion.Files.Single();
        Assert.Equal(length, file.Length);
        Assert.Equal(source.Sha256, file.Sha256);

        await using (var content = await Packages.OpenFileAsync(id, "data/big.bin", cancellationToken: Ct))
        {
            Assert.NotNull(content);
            Assert.Equal((source.Sha256, length), await StreamAssert.HashAsync(content.Stream, Ct));
        }

        await using (var ranged = await Packages.OpenFileAsync(id, "data/big.bin", range: new ByteRange(length - 10, 100), cancellationToken: Ct))
        {
            Assert.NotNull(ranged);
            Assert.Equal(new ByteRange(length - 10, 10), ranged.Range);
            Assert.Equal(10, (await StreamAssert.ReadAllAsync(ranged.Stream, Ct)).Length);
        }
    }

    // ---------------------------------------------------------------- dedup

    /// <summary>Identical content is stored once.</summary>
    [Fact]
    public async Task Identical_content_is_stored_once()
    {
        const string id = "dedup";
        await CommitAsync(id, 0, ("a.txt", "giống nhau"), ("copy/a.txt", "giống nhau"), ("b.txt", "khác"));
        await CommitAsync(id, 1, ("again.txt", "giống nhau"));
        await Packages.CommitAsync(id, new PackageCommit { ExpectedHead = 2 }.Put("announced.txt", Text("khác"), Sha("khác")), Ct);

        var contentKeys = (await StoredKeysAsync()).Where(k => k.Contains("/content/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, contentKeys.Count);

        var head = (await Packages.GetInventoryAsync(id, Ct))!.HeadVersion;
        Assert.Equal(["a.txt", "again.txt", "announced.txt", "b.txt", "copy/a.txt"], head.Files.Select(f => f.LogicalPath));
        foreach (var f in head.Files)
        {
            Assert.Equal(f.LogicalPath is "b.txt" or "announced.txt" ? "khác" : "giống nhau", await ReadTextAsync(id, f.LogicalPath));
        }

        Assert.True((await Packages.VerifyAsync(id, Ct)).IsValid);
    }

    /// <summary>
    /// Content staged in the object store (<see cref="IObjectStagingStore"/>, reached through the package store) is
    /// committed with the digest the object store computed, stored once per digest, refused under another announced
    /// digest, and can be committed again after a commit that failed once it had been published.
    /// </summary>
    [Fact]
    public async Task Staged_content_is_committed_with_its_staged_digest_once_per_digest()
    {
        var staging = Packages.GetService<IObjectStagingStore>();
        if (staging is null)
        {
            Assert.Skip("The object store underneath does not offer IObjectStagingStore.");
        }

        const string id = "staged";
        using var a = await staging.StageAsync(Text("nội dung A"), Ct);
        using var a2 = await staging.StageAsync(Text("nội dung A"), Ct);
        using var b = await staging.StageAsync(Text("nội dung B"), Ct);
        Assert.Equal(Sha("nội dung A"), a.Sha256);
        await Packages.CommitAsync(id, new PackageCommit { ExpectedHead = 0 }.Put("a.txt", a).Put("copy/a.txt", a2).Put("b.txt", b, Sha("nội dung B")), Ct);

        Assert.Equal(2, (await StoredKeysAsync()).Count(k => k.Contains("/content/", StringComparison.Ordinal)));
        Assert.Equal("nội dung A", await ReadTextAsync(id, "copy/a.txt"));
        Assert.Equal("nội dung B", await ReadTextAsync(id, "b.txt"));
        var head = (await Packages.GetInventoryAsync(id, Ct))!.HeadVersion;
        Assert.Equal(Sha("nội dung A"), head.Files.Single(f => f.LogicalPath == "a.txt").Sha256);

        // Another announced digest: refused, nothing visible.
        var before = await StoredKeysAsync();
        using var c = await staging.StageAsync(Text("nội dung C"), Ct);
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await Packages.CommitAsync(id, new PackageCommit().Put("c.txt", c, Sha("nội dung A")), Ct));
        Assert.Equal(before, await StoredKeysAsync());

        // A commit that fails after the staged file was published (a later file is refused): nothing visible, and the
        // same staged object commits afterwards.
        var failing = new PackageCommit().Put("c.txt", c).Put("d.txt", Text("d"), new string('a', 64));
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await Packages.CommitAsync(id, failing, Ct));
        Assert.Equal(1, (await Packages.GetInventoryAsync(id, Ct))!.Head);
        Assert.Equal(before, await StoredKeysAsync());
        await Packages.CommitAsync(id, new PackageCommit { ExpectedHead = 1 }.Put("c.txt", c), Ct);
        c.Dispose();
        Assert.Equal("nội dung C", await ReadTextAsync(id, "c.txt"));
        Assert.True((await Packages.VerifyAsync(id, Ct)).IsValid);
    }

    /// <summary>Announced digest of stored content is still verified.</summary>
    [Fact]
    public async Task Announced_digest_of_stored_content_is_still_verified()
    {
        const string id = "dedup-verify";
        await CommitAsync(id, 0, ("a.txt", "nội dung"));
        var before = await StoredKeysAsync();
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await Packages.CommitAsync(id, new PackageCommit().Put("b.txt", Text("nội dung khác"), Sha("nội dung")), Ct));
        Assert.Equal(1, (await Packages.GetInventoryAsync(id, Ct))!.Head);
        Assert.Equal(before, await StoredKeysAsync());
    }

    // ---------------------------------------------------------------- failures leave nothing

    /// <summary>Expected head mismatch changes nothing.</summary>
    [Fact]
    public async Task Expected_head_mismatch_changes_nothing()
    {
        const string id = "concurrency";
        await CommitAsync(id, 0, ("a.txt", "1"));
        var before = await StoredKeysAsync();
        var digest = (await Packages.GetInventoryAsync(id, Ct))!.InventoryDigest;

        var ex = await Assert.ThrowsAsync<PackageConcurrencyException>(() => CommitAsync(id, 0, ("a.txt", "2")));
        Assert.Equal(1, ex.ActualHead);
        Assert.Equal(0, ex.ExpectedHead);
        await Assert.ThrowsAsync<PackageConcurrencyException>(() => CommitAsync(id, 2, ("a.txt", "2")));
        await Assert.ThrowsAsync<PackageConcurrencyException>(() => CommitAsync("new-one", 1, ("a.txt", "2")));

        Assert.Equal(digest, (await Packages.GetInventoryAsync(id, Ct))!.InventoryDigest);
        Assert.Equal(before, await StoredKeysAsync());
        Assert.Null(await Packages.GetInventoryAsync("new-one", Ct));
    }

    /// <summary>Checksum mismatch makes nothing visible.</summary>
    [Fact]
    public async Task Checksum_mismatch_makes_nothing_visible()
    {
        const string id = "mismatch";
        await CommitAsync(id, 0, ("a.txt", "1"));
        var before = await StoredKeysAsync();

        var commit = new PackageCommit()
            .Put("b.txt", Text("good file, stored first"))
            .Put("c.txt", Text("bad file"), new string('a', 64));
        var ex = await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await Packages.CommitAsync(id, commit, Ct));
        Assert.Equal(new string('a', 64), ex.Expected);

        Assert.Equal(1, (await Packages.GetInventoryAsync(id, Ct))!.Head);
        Assert.Null(await ReadTextAsync(id, "b.txt"));
        Assert.Equal(before, await StoredKeysAsync());

        await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await Packages.CommitAsync("brand-new", new PackageCommit().Put("x", Text("x"), new string('b', 64)), Ct));
        Assert.Null(await Packages.GetInventoryAsync("brand-new", Ct));
        Assert.Equal(before, await StoredKeysAsync());

        // The package still takes commits afterwards.
        Assert.Equal(2, (await CommitAsync(id, 1, ("b.txt", "2"))).Head);
        Assert.True((await Packages.VerifyAsync(id, Ct)).IsValid);
    }

    /// <summary>Invalid changes are rejected before anything is written.</summary>
    [Fact]
    public async Task Invalid_changes_are_rejected_before_anything_is_written()
    {
        const string id = "invalid";
        await CommitAsync(id, 0, ("a.txt", "1"), ("dir/x.txt", "x"));
        var before = await StoredKeysAsync();

        async Task<ArchiveValidationException> Reject(PackageCommit commit)
            => await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Packages.CommitAsync(id, commit, Ct));

        var ex = await Reject(new PackageCommit().Put("b.txt", Text("1")).Put("b.txt", Text("2")));
        Assert.Contains(ex.Errors, e => e.Rule == "logicalPath.duplicate" && e.Field.Contains("logicalPath", StringComparison.Ordinal));

        ex = await Reject(new PackageCommit().Put("../etc/passwd", Text("x")));
        Assert.Contains(ex.Errors, e => e.Rule == "key.dot-segment" && e.Field.Contains("logicalPath", StringComparison.Ordinal));

        ex = await Reject(new PackageCommit().Put("/abs", Text("x")));
        Assert.Contains(ex.Errors, e => e.Rule == "key.absolute");

        ex = await Reject(new PackageCommit().Remove("missing.txt"));
        Assert.Contains(ex.Errors, e => e.Rule == "logicalPath.not-found");

        ex = await Reject(new PackageCommit().Put("a.txt/inner", Text("x")));
        Assert.Contains(ex.Errors, e => e.Rule == "logicalPath.conflict");

        ex = await Reject(new PackageCommit().Put("dir", Text("x")));
        Assert.Contains(ex.Errors, e => e.Rule == "logicalPath.conflict");

        ex = await Reject(new PackageCommit().Put("c.txt", Text("x"), "not-a-digest"));
        Assert.Contains(ex.Errors, e => e.Rule == "sha256.format");

        var idError = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await Packages.CommitAsync("", new PackageCommit().Put("a", Text("x")), Ct));
        Assert.Contains(idError.Errors, e => e.Field == "packageId");

        Assert.Equal(before, await StoredKeysAsync());
        Assert.Equal(1, (await Packages.GetInventoryAsync(id, Ct))!.Head);
    }

    /// <summary>Concurrent commits with the same expected head have one winner.</summary>
    [Fact]
    public async Task Concurrent_commits_with_the_same_expected_head_have_one_winner()
    {
        const string id = "race";
        await CommitAsync(id, 0, ("a.txt", "0"));
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            try
            {
                await CommitAsync(id, 1, ("a.txt", $"writer {i}"));
                return true;
            }
            catch (PackageConcurrencyException)
            {
                return false;
            }
        })));

        Assert.Single(results, r => r);
        Assert.Equal(2, (await Packages.GetInventoryAsync(id, Ct))!.Head);
        Assert.True((await Packages.VerifyAsync(id, Ct)).IsValid);
    }

    /// <summary>Concurrent commits without expected head all land.</summary>
    [Fact]
    public async Task Concurrent_commits_without_expected_head_all_land()
    {
        const string id = "queue";
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => CommitAsync(id, null, ($"f{i}.txt", $"file {i}")))));
        var inventory = await Packages.GetInventoryAsync(id, Ct);
        Assert.Equal(6, inventory!.Head);
        Assert.Equal(6, inventory.HeadVersion.Files.Count);
        Assert.True((await Packages.VerifyAsync(id, Ct)).IsValid);
    }

    // ---------------------------------------------------------------- listing

    /// <summary>Listing returns every committed package and resumes.</summary>
    [Fact]
    public async Task Listing_returns_every_committed_package_and_resumes()
    {
        string[] ids = ["000.00.00.G09.2024.01", "hồ-sơ-02", "Hồ sơ/03:đặc biệt", "a", "b", "c-long-" + new string('x', 120), "pkg_07"];
        foreach (var id in ids)
        {
            await Packages.CommitAsync(id, new PackageCommit().Put("readme.txt", Text(id)), Ct);
        }

        // A package whose commit failed is not listed.
        await Assert.ThrowsAsync<ChecksumMismatchException>(async () =>
            await Packages.CommitAsync("failed", new PackageCommit().Put("x", Text("x"), new string('c', 64)), Ct));

        await WaitForConsistencyAsync();
        var listed = new List<string>();
        await foreach (var id in Packages.ListPackagesAsync(cancellationToken: Ct))
        {
            listed.Add(id);
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        for (var i = 0; i < listed.Count; i++)
        {
            var rest = new List<string>();
            await foreach (var id in Packages.ListPackagesAsync(listed[i], Ct))
            {
                rest.Add(id);
            }

            Assert.Equal(listed.Skip(i + 1), rest);
        }
    }

    // ---------------------------------------------------------------- fixity

    /// <summary>Verify passes for an intact package.</summary>
    [Fact]
    public async Task Verify_passes_for_an_intact_package()
    {
        const string id = "intact";
        await CommitAsync(id, 0, ("a.txt", "1"), ("b.txt", "22"));
        await CommitAsync(id, 1, ("c.txt", "333"));
        var report = await Packages.VerifyAsync(id, Ct);
        Assert.True(report.IsValid, string.Join("; ", report.Problems));
        Assert.Equal(id, report.PackageId);
        Assert.Equal(3, report.FilesChecked);
        Assert.Equal(6, report.BytesChecked);
    }

    /// <summary>Verify detects a flipped byte in content.</summary>
    [Fact]
    public async Task Verify_detects_a_flipped_byte_in_content()
    {
        const string id = "flip-content";
        await CommitAsync(id, 0, ("a.txt", "nội dung gốc"));
        var root = await ObjectRootAsync(id);
        await FlipFirstByteAsync(root + "v1/content/a.txt");

        var report = await Packages.VerifyAsync(id, Ct);
        var problem = Assert.Single(report.Problems);
        Assert.Equal(FixityProblemKind.ContentDigestMismatch, problem.Kind);
        Assert.Equal("v1/content/a.txt", problem.Path);

        // Reading the damaged file fails at its end instead of serving it silently.
        await Assert.ThrowsAnyAsync<ArchiveException>(() => ReadTextAsync(id, "a.txt"));
    }

    /// <summary>Verify detects a flipped byte in an inventory.</summary>
    [Fact]
    public async Task Verify_detects_a_flipped_byte_in_an_inventory()
    {
        const string id = "flip-inventory";
        await CommitAsync(id, 0, ("a.txt", "1"));
        await CommitAsync(id, 1, ("b.txt", "2"));
        var root = await ObjectRootAsync(id);
        await FlipFirstByteAsync(root + "v1/inventory.json");

        var report = await Packages.VerifyAsync(id, Ct);
        Assert.Contains(report.Problems, p => p.Kind == FixityProblemKind.InventoryCorrupt && p.Path == "v1/inventory.json");

        await FlipFirstByteAsync(root + "inventory.json");
        report = await Packages.VerifyAsync(id, Ct);
        Assert.Contains(report.Problems, p => p.Kind == FixityProblemKind.InventoryCorrupt && p.Path == "inventory.json");
        await Assert.ThrowsAnyAsync<ArchiveException>(async () => await Packages.GetInventoryAsync(id, Ct));
    }

    /// <summary>Verify detects missing and unexpected files.</summary>
    [Fact]
    public async Task Verify_detects_missing_and_unexpected_files()
    {
        const string id = "missing-unexpected";
        await CommitAsync(id, 0, ("a.txt", "1"), ("b.txt", "2"));
        var root = await ObjectRootAsync(id);
        Assert.True(await Objects.DeleteAsync(root + "v1/content/b.txt", Ct));
        await Objects.PutBytesAsync(root + "v1/content/stray.txt", "?"u8.ToArray(), cancellationToken: Ct);

        var report = await Packages.VerifyAsync(id, Ct);
        Assert.Equal(2, report.Problems.Count);
        Assert.Contains(report.Problems, p => p.Kind == FixityProblemKind.ContentMissing && p.Path == "v1/content/b.txt");
        Assert.Contains(report.Problems, p => p.Kind == FixityProblemKind.UnexpectedFile && p.Path == "v1/content/stray.txt");
    }

    // ---------------------------------------------------------------- crash recovery

    /// <summary>A crashed commit is invisible and recovery removes it.</summary>
    [Fact]
    public async Task A_crashed_commit_is_invisible_and_recovery_removes_it()
    {
        const string id = "crashed";
        await CommitAsync(id, 0, ("a.txt", "1"));
        var root = await ObjectRootAsync(id);
        var digest = (await Packages.GetInventoryAsync(id, Ct))!.InventoryDigest;

        // What a commit killed before its commit point leaves: the claim and some content of v2.
        await Objects.PutBytesAsync(root + "v2/inventory.json", "{\"claim\":\"commit of v2 in progress\"}"u8.ToArray(), cancellationToken: Ct);
        await Objects.PutBytesAsync(root + "v2/content/a.txt", "half"u8.ToArray(), cancellationToken: Ct);

        var inventory = await Packages.GetInventoryAsync(id, Ct);
        Assert.Equal(1, inventory!.Head);
        Assert.Equal(digest, inventory.InventoryDigest);
        Assert.Equal("1", await ReadTextAsync(id, "a.txt"));
        Assert.Contains((await Packages.VerifyAsync(id, Ct)).Problems, p => p.Kind == FixityProblemKind.UnexpectedFile);

        await Packages.RecoverAsync(Ct);
        Assert.DoesNotContain(await StoredKeysAsync(), k => k.StartsWith(root + "v2/", StringComparison.Ordinal));
        Assert.True((await Packages.VerifyAsync(id, Ct)).IsValid);
        Assert.Equal(2, (await CommitAsync(id, 1, ("a.txt", "2"))).Head);
    }

    /// <summary>The next commit removes a crashed version.</summary>
    [Fact]
    public async Task The_next_commit_removes_a_crashed_version()
    {
        const string id = "crashed-then-commit";
        await CommitAsync(id, 0, ("a.txt", "1"));
        var root = await ObjectRootAsync(id);
        await Objects.PutBytesAsync(root + "v2/inventory.json", "{}"u8.ToArray(), cancellationToken: Ct);
        await Objects.PutBytesAsync(root + "v2/content/junk/left-over.bin", new byte[] { 1, 2, 3 }, cancellationToken: Ct);

        var v2 = await CommitAsync(id, 1, ("b.txt", "2"));
        Assert.Equal(2, v2.Head);
        Assert.Equal("2", await ReadTextAsync(id, "b.txt"));
        var report = await Packages.VerifyAsync(id, Ct);
        Assert.True(report.IsValid, string.Join("; ", report.Problems));
    }

    /// <summary>A crash between inventory and its sidecar keeps the commit.</summary>
    [Fact]
    public async Task A_crash_between_inventory_and_its_sidecar_keeps_the_commit()
    {
        const string id = "sidecar-crash";
        await CommitAsync(id, 0, ("a.txt", "1"));
        var root = await ObjectRootAsync(id);
        byte[] oldSidecar;
        await using (var c = await Objects.GetAsync(root + "inventory.json.sha256", cancellationToken: Ct))
        {
            oldSidecar = await StreamAssert.ReadAllAsync(c!.Stream, Ct);
        }

        var v2 = await CommitAsync(id, 1, ("a.txt", "2"));
        await Objects.PutBytesAsync(root + "inventory.json.sha256", oldSidecar, cancellationToken: Ct);

        var inventory = await Packages.GetInventoryAsync(id, Ct);
        Assert.Equal(2, inventory!.Head);
        Assert.Equal(v2.InventoryDigest, inventory.InventoryDigest);
        Assert.Equal("2", await ReadTextAsync(id, "a.txt"));

        await Packages.RecoverAsync(Ct);
        Assert.True((await Packages.VerifyAsync(id, Ct)).IsValid);
    }
}
