using System.Text;
using Archive.Packages;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Archive.Testing.Storage;
using Xunit;

namespace Archive.Core.Tests.Packages;

/// <summary>Parsed root inventories reused while the object is unchanged (OcflPackageStore.Cache.cs, #23).</summary>
public sealed class InventoryCacheTests : IDisposable
{
    private readonly PackageTempFolder _folder = new("inventory-cache");
    private readonly FileSystemObjectStore _inner;
    private readonly CountingStore _objects;

    public InventoryCacheTests()
    {
        _inner = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path });
        _objects = new CountingStore(_inner);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _inner.Dispose();
        _folder.Dispose();
    }

    private sealed class CountingStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public int InventoryReads;

        public override ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        {
            if (key.EndsWith("/inventory.json", StringComparison.Ordinal) && !key.Contains("/v", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref InventoryReads);
            }

            return base.GetAsync(key, range, cancellationToken);
        }
    }

    private static PackageCommit Put(int expected, string path, string text) => new PackageCommit { ExpectedHead = expected }.Put(path, new MemoryStream(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task Reads_and_commits_of_one_process_reuse_the_inventory_and_a_change_behind_its_back_is_read_again()
    {
        var store = new OcflPackageStore(_objects);
        await store.CommitAsync("p", Put(0, "a.txt", "1"), Ct);
        await store.CommitAsync("p", Put(1, "b.txt", "2"), Ct); // the commit reads the head it builds on from the cache
        var reads = _objects.InventoryReads;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(2, (await store.GetInventoryAsync("p", Ct))!.Head);
        }

        Assert.Equal(0, _objects.InventoryReads - reads);

        // Another process (a restore, another store instance) commits: the entity tag changed, so it is read again.
        var other = new OcflPackageStore(_inner);
        await other.CommitAsync("p", Put(2, "c.txt", "3"), Ct);
        Assert.Equal(3, (await store.GetInventoryAsync("p", Ct))!.Head);
        Assert.Equal(1, _objects.InventoryReads - reads);

        // Damage written through the store is seen on the next read (checked against the sidecar).
        var root = store.GetObjectRoot("p");
        string json;
        await using (var content = await _inner.GetAsync(root + "inventory.json", cancellationToken: Ct))
        using (var reader = new StreamReader(content!.Stream))
        {
            json = await reader.ReadToEndAsync(Ct);
        }

        var bytes = Encoding.UTF8.GetBytes(json.Replace("c.txt", "x.txt", StringComparison.Ordinal));
        await _inner.PutBytesAsync(root + "inventory.json", bytes, cancellationToken: Ct);
        await Assert.ThrowsAsync<PackageCorruptException>(async () => await store.GetInventoryAsync("p", Ct));
    }

    [Fact]
    public async Task Several_writing_processes_read_the_inventory_every_time()
    {
        var store = new OcflPackageStore(_objects, new OcflPackageStoreOptions { SharedStorage = true });
        await store.CommitAsync("p", Put(0, "a.txt", "1"), Ct);
        var reads = _objects.InventoryReads;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, (await store.GetInventoryAsync("p", Ct))!.Head);
        }

        Assert.Equal(3, _objects.InventoryReads - reads);
    }
}
