using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Testing.Storage;
using Archive.Packages;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Xunit;

namespace Archive.Core.Tests.Packages;

/// <summary>The OCFL structure on disk and the recovery rules, over the folder store.</summary>
public sealed class OcflPackageStoreTests : IDisposable
{
    private readonly PackageTempFolder _folder = new("ocfl");
    private readonly FileSystemObjectStore _objects;

    public OcflPackageStoreTests() => _objects = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Disk(string relative) => Path.Combine(_folder.Path, "objects", relative);

    private static Stream Text(string text) => new NonSeekableStream(Encoding.UTF8.GetBytes(text));

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        _objects.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task The_storage_root_and_object_are_plain_ocfl_on_disk()
    {
        var store = new OcflPackageStore(_objects);
        const string id = "object-01";
        await store.CommitAsync(id, new PackageCommit { Message = "Lập hồ sơ", UserName = "Lê Văn C", UserAddress = "mailto:c@example.vn", Created = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero) }
            .Put("tài liệu/công văn.txt", Text("Công văn số 1"))
            .Put("b.txt", Text("B")), Ct);
        await store.CommitAsync(id, new PackageCommit { ExpectedHead = 1 }.Put("b.txt", Text("B2")).Remove("tài liệu/công văn.txt"), Ct);

        // Storage root.
        Assert.Equal("ocfl_1.1\n", await File.ReadAllTextAsync(Disk("ocfl/0=ocfl_1.1"), Ct));
        using (var layout = JsonDocument.Parse(await File.ReadAllTextAsync(Disk("ocfl/ocfl_layout.json"), Ct)))
        {
            Assert.Equal("0003-hash-and-id-n-tuple-storage-layout", layout.RootElement.GetProperty("extension").GetString());
        }

        using (var config = JsonDocument.Parse(await File.ReadAllTextAsync(Disk("ocfl/extensions/0003-hash-and-id-n-tuple-storage-layout/config.json"), Ct)))
        {
            Assert.Equal("sha256", config.RootElement.GetProperty("digestAlgorithm").GetString());
            Assert.Equal(3, config.RootElement.GetProperty("tupleSize").GetInt32());
            Assert.Equal(3, config.RootElement.GetProperty("numberOfTuples").GetInt32());
        }

        // Object root at the path the extension's own example gives for "object-01".
        var root = "ocfl/3c0/ff4/240/object-01/";
        Assert.Equal("ocfl/3c0/ff4/240/object-01/", store.GetObjectRoot(id));
        Assert.Equal("ocfl_object_1.1\n", await File.ReadAllTextAsync(Disk(root + "0=ocfl_object_1.1"), Ct));

        var inventoryBytes = await File.ReadAllBytesAsync(Disk(root + "inventory.json"), Ct);
        Assert.Equal(Sha(inventoryBytes) + " inventory.json\n", await File.ReadAllTextAsync(Disk(root + "inventory.json.sha256"), Ct));
        Assert.Equal(inventoryBytes, await File.ReadAllBytesAsync(Disk(root + "v2/inventory.json"), Ct));
        Assert.Equal(await File.ReadAllTextAsync(Disk(root + "inventory.json.sha256"), Ct), await File.ReadAllTextAsync(Disk(root + "v2/inventory.json.sha256"), Ct));
        var v1Bytes = await File.ReadAllBytesAsync(Disk(root + "v1/inventory.json"), Ct);
        Assert.Equal(Sha(v1Bytes) + " inventory.json\n", await File.ReadAllTextAsync(Disk(root + "v1/inventory.json.sha256"), Ct));

        // Vietnamese stays readable in the JSON.
        var text = Encoding.UTF8.GetString(inventoryBytes);
        Assert.Contains("tài liệu/công văn.txt", text, StringComparison.Ordinal);
        Assert.Contains("Lê Văn C", text, StringComparison.Ordinal);

        using var inventory = JsonDocument.Parse(inventoryBytes);
        var json = inventory.RootElement;
        Assert.Equal(id, json.GetProperty("id").GetString());
        Assert.Equal("https://ocfl.io/1.1/spec/#inventory", json.GetProperty("type").GetString());
        Assert.Equal("sha256", json.GetProperty("digestAlgorithm").GetString());
        Assert.Equal("v2", json.GetProperty("head").GetString());
        Assert.Equal("content", json.GetProperty("contentDirectory").GetString());

        var shaDoc = Sha(Encoding.UTF8.GetBytes("Công văn số 1"));
        var shaB = Sha("B"u8.ToArray());
        var shaB2 = Sha("B2"u8.ToArray());
        var manifest = json.GetProperty("manifest");
        Assert.Equal(["v1/content/tài liệu/công văn.txt"], manifest.GetProperty(shaDoc).EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["v1/content/b.txt"], manifest.GetProperty(shaB).EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["v2/content/b.txt"], manifest.GetProperty(shaB2).EnumerateArray().Select(e => e.GetString()));

        var v1 = json.GetProperty("versions").GetProperty("v1");
        Assert.Equal("2024-01-02T03:04:05.0000000Z", v1.GetProperty("created").GetString());
        Assert.Equal("Lập hồ sơ", v1.GetProperty("message").GetString());
        Assert.Equal("Lê Văn C", v1.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("mailto:c@example.vn", v1.GetProperty("user").GetProperty("address").GetString());
        Assert.Equal(["tài liệu/công văn.txt"], v1.GetProperty("state").GetProperty(shaDoc).EnumerateArray().Select(e => e.GetString()));
        var v2State = json.GetProperty("versions").GetProperty("v2").GetProperty("state");
        Assert.Equal([shaB2], v2State.EnumerateObject().Select(p => p.Name));

        // Sizes live in the fixity block under the "size" algorithm of community extension 0009.
        var sizes = json.GetProperty("fixity").GetProperty("size");
        Assert.Equal(["v1/content/b.txt"], sizes.GetProperty("1").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["v2/content/b.txt"], sizes.GetProperty("2").EnumerateArray().Select(e => e.GetString()));

        // The content is the file itself, readable without Archive.
        Assert.Equal("Công văn số 1", await File.ReadAllTextAsync(Disk(root + "v1/content/tài liệu/công văn.txt"), Ct));
        Assert.Equal("B2", await File.ReadAllTextAsync(Disk(root + "v2/content/b.txt"), Ct));
        Assert.False(Directory.Exists(Disk(root + "v3")));
    }

    [Fact]
    public async Task A_first_commit_that_crashed_leaves_no_package_and_recovery_removes_its_folder()
    {
        var store = new OcflPackageStore(_objects);
        await store.CommitAsync("committed", new PackageCommit().Put("a", Text("a")), Ct);

        // A first commit killed before its commit point.
        var root = store.GetObjectRoot("never-committed");
        await _objects.PutBytesAsync(root + "0=ocfl_object_1.1", "ocfl_object_1.1\n"u8.ToArray(), cancellationToken: Ct);
        await _objects.PutBytesAsync(root + "v1/inventory.json", "{\"claim\":\"x\"}"u8.ToArray(), cancellationToken: Ct);
        await _objects.PutBytesAsync(root + "v1/content/big.bin", new byte[1000], cancellationToken: Ct);

        Assert.Null(await store.GetInventoryAsync("never-committed", Ct));
        Assert.Null(await store.OpenFileAsync("never-committed", "big.bin", cancellationToken: Ct));
        var listed = new List<string>();
        await foreach (var id in store.ListPackagesAsync(cancellationToken: Ct))
        {
            listed.Add(id);
        }

        Assert.Equal(["committed"], listed);

        var report = await store.RecoverAsync(Ct);
        Assert.Equal(2, report.PackagesScanned);
        Assert.Equal(1, report.UncommittedPackagesRemoved);
        Assert.Equal(1, report.AbandonedVersionsRemoved);
        Assert.Equal(3, report.ObjectsDeleted);
        Assert.Empty(report.CorruptPackages);
        Assert.False(Directory.Exists(Disk(root.TrimEnd('/'))));

        var again = await store.RecoverAsync(Ct);
        Assert.Equal(0, again.ObjectsDeleted);
        Assert.True((await store.VerifyAsync("committed", Ct)).IsValid);
    }

    [Fact]
    public async Task On_a_shared_root_a_live_claim_is_kept_and_blocks_the_package()
    {
        var store = new OcflPackageStore(_objects, new OcflPackageStoreOptions { SharedStorage = true });
        await store.CommitAsync("shared", new PackageCommit().Put("a", Text("1")), Ct);
        var root = store.GetObjectRoot("shared");
        var expires = DateTimeOffset.UtcNow.AddMinutes(1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        await _objects.PutBytesAsync(root + "v2/inventory.json", Encoding.UTF8.GetBytes($$"""{"claim":"another host","nonce":"x","expires":"{{expires}}"}"""), cancellationToken: Ct);

        await Assert.ThrowsAsync<PackageConcurrencyException>(async () => await store.CommitAsync("shared", new PackageCommit().Put("a", Text("2")), Ct));
        var report = await store.RecoverAsync(Ct);
        Assert.Equal(1, report.UnfinishedVersionsKept);
        Assert.Equal(0, report.ObjectsDeleted);
        Assert.NotNull(await _objects.StatAsync(root + "v2/inventory.json", Ct));

        // A store configured for a single writer treats it as a crash.
        var single = new OcflPackageStore(_objects);
        Assert.Equal(2, (await single.CommitAsync("shared", new PackageCommit().Put("a", Text("2")), Ct)).Head);
        Assert.True((await single.VerifyAsync("shared", Ct)).IsValid);
    }

    [Fact]
    public async Task A_storage_root_with_another_layout_is_refused()
    {
        await _objects.PutBytesAsync("other/ocfl_layout.json", "{\"extension\":\"0002-flat-direct-storage-layout\"}"u8.ToArray(), cancellationToken: Ct);
        var store = new OcflPackageStore(_objects, new OcflPackageStoreOptions { Prefix = "other" });
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await store.CommitAsync("x", new PackageCommit().Put("a", Text("a")), Ct));
        Assert.Contains("0002-flat-direct-storage-layout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Package_ids_are_validated()
    {
        var store = new OcflPackageStore(_objects);
        foreach (var (id, rule) in new[] { ("", "packageId.empty"), ("  ", "packageId.empty"), ("a\u0001b", "packageId.control-character"), (" lead", "packageId.whitespace"), ("x\uD800", "packageId.invalid-unicode"), (new string('ệ', 200), "packageId.too-long") })
        {
            var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await store.GetInventoryAsync(id, Ct));
            Assert.Equal(rule, Assert.Single(ex.Errors).Rule);
        }
    }
}

/// <summary>Runs alone (allocation counters are process-wide).</summary>
[CollectionDefinition(nameof(SerialPackageTests), DisableParallelization = true)]
public sealed class SerialPackageTests;

[Collection(nameof(SerialPackageTests))]
public sealed class PackageMemoryTests : IDisposable
{
    private readonly PackageTempFolder _folder = new("memory");
    private readonly FileSystemObjectStore _objects;

    public PackageMemoryTests() => _objects = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _objects.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Memory_does_not_grow_with_content_size()
    {
        // A coarse guard (the real figure comes from the benchmark): committing 128 MiB of non-seekable content must
        // not allocate anywhere near that much managed memory.
        var store = new OcflPackageStore(_objects);
        const long length = 128L * 1024 * 1024;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        using var source = new GeneratedStream(length, 5);
        var inventory = await store.CommitAsync("big", new PackageCommit().Put("big.bin", source), Ct);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(length, inventory.HeadVersion.Files.Single().Length);
        TestContext.Current.TestOutputHelper?.WriteLine($"committing 128 MiB allocated {allocated / 1024.0 / 1024:F1} MiB of managed memory");
        Assert.True(allocated < 32L * 1024 * 1024, $"allocated {allocated / 1024 / 1024} MiB while committing 128 MiB");
    }
}
