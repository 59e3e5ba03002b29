using System.Text;
using Archive.Packages;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Xunit;

namespace Archive.Core.Tests.Packages;

/// <summary>
/// The commit point of an OCFL commit is the write of the root <c>inventory.json</c>; everything of version N (its
/// content, <c>vN/inventory.json</c> and its sidecar) must be in storage before it. These tests check that order
/// directly — without waiting for the slow kill -9 drills — and that a failure at any write before the commit point
/// leaves the previous version as head, with the package valid.
/// </summary>
public sealed class CommitPointTests : IDisposable
{
    private readonly PackageTempFolder _folder = new("commitpoint");
    private readonly FileSystemObjectStore _disk;

    public CommitPointTests() => _disk = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _disk.Dispose();
        _folder.Dispose();
    }

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Version_files_are_written_before_the_root_inventory_and_the_root_sidecar_last()
    {
        var recording = new RecordingStore(_disk);
        var store = new OcflPackageStore(recording);
        await store.CommitAsync("p-1", new PackageCommit().Put("a.txt", Text("A")), Ct);
        recording.Puts.Clear();

        await store.CommitAsync("p-1", new PackageCommit { ExpectedHead = 1 }.Put("b.txt", Text("B")), Ct);

        var puts = recording.Puts.ToList();
        var root = store.GetObjectRoot("p-1");
        var rootInventory = puts.LastIndexOf(root + "inventory.json");
        var rootSidecar = puts.LastIndexOf(root + "inventory.json.sha256");
        var versionInventory = puts.LastIndexOf(root + "v2/inventory.json");
        var versionSidecar = puts.LastIndexOf(root + "v2/inventory.json.sha256");
        var content = puts.FindIndex(k => k.StartsWith(root + "v2/content/", StringComparison.Ordinal));
        Assert.True(rootInventory >= 0 && rootSidecar >= 0 && versionInventory >= 0 && versionSidecar >= 0 && content >= 0, string.Join("\n", puts));
        Assert.True(content < versionInventory, "content before vN/inventory.json:\n" + string.Join("\n", puts));
        Assert.True(versionInventory < rootInventory, "vN/inventory.json before the root inventory:\n" + string.Join("\n", puts));
        Assert.True(versionSidecar < rootInventory, "vN sidecar before the root inventory:\n" + string.Join("\n", puts));
        Assert.True(rootInventory < rootSidecar, "root sidecar after the root inventory:\n" + string.Join("\n", puts));
        Assert.Equal(puts.Count - 1, rootSidecar);
    }

    [Theory]
    [InlineData("v2/content/")]
    [InlineData("v2/inventory.json")]
    [InlineData("v2/inventory.json.sha256")]
    public async Task A_failure_before_the_commit_point_leaves_the_previous_version(string failingSuffix)
    {
        var failing = new RecordingStore(_disk);
        var store = new OcflPackageStore(failing);
        await store.CommitAsync("p-2", new PackageCommit().Put("a.txt", Text("A1")), Ct);
        var root = store.GetObjectRoot("p-2");
        // The claim (the first, create-only write of vN/inventory.json) succeeds; the failure hits the real write.
        failing.FailWhen = (key, options) => key.StartsWith(root + failingSuffix, StringComparison.Ordinal)
            && (failingSuffix != "v2/inventory.json" || options?.CreateOnly != true)
            && (failingSuffix == "v2/content/" || key == root + failingSuffix);

        await Assert.ThrowsAsync<ArchiveStorageException>(async () =>
            await store.CommitAsync("p-2", new PackageCommit { ExpectedHead = 1 }.Put("a.txt", Text("A2")), Ct));
        failing.FailWhen = null;

        var reopened = new OcflPackageStore(_disk);
        var inventory = await reopened.GetInventoryAsync("p-2", Ct);
        Assert.NotNull(inventory);
        Assert.Equal(1, inventory.Head);
        await using (var file = await reopened.OpenFileAsync("p-2", "a.txt", cancellationToken: Ct))
        {
            Assert.NotNull(file);
            using var reader = new StreamReader(file.Stream);
            Assert.Equal("A1", await reader.ReadToEndAsync(Ct));
        }

        Assert.True((await reopened.VerifyAsync("p-2", Ct)).IsValid);

        // And the next commit takes version 2.
        var next = await reopened.CommitAsync("p-2", new PackageCommit { ExpectedHead = 1 }.Put("a.txt", Text("A3")), Ct);
        Assert.Equal(2, next.Head);
        Assert.True((await reopened.VerifyAsync("p-2", Ct)).IsValid);
    }

    /// <summary>Records the key of every put, in order, and fails the puts <see cref="FailWhen"/> picks.</summary>
    private sealed class RecordingStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public List<string> Puts { get; } = [];

        public Func<string, PutObjectOptions?, bool>? FailWhen { get; set; }

        public override ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (FailWhen?.Invoke(key, options) == true)
            {
                throw new ArchiveStorageException(SystemName, ContainerName, "put", key, "injected failure");
            }

            lock (Puts)
            {
                Puts.Add(key);
            }

            return base.PutAsync(key, content, options, cancellationToken);
        }
    }
}
