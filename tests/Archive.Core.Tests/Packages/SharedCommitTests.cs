using System.Text;
using Archive.Packages;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Archive.Testing.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Archive.Core.Tests.Packages;

/// <summary>
/// Several hosts committing to one storage root (<see cref="OcflPackageStoreOptions.SharedStorage"/>), each host an
/// <see cref="OcflPackageStore"/> of its own over the same objects. The objects are a folder store that ignores
/// create-only — as Ceph's gateway does on versioned and Object Lock buckets — with the claims in a second folder
/// (<see cref="CoordinatedObjectStore"/>). The interleavings of issue #20 are forced with gates on the hosts' stores.
/// </summary>
public sealed class SharedCommitTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    private readonly PackageTempFolder _folder = new("shared");
    private readonly FileSystemObjectStore _data;
    private readonly FileSystemObjectStore _claims;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public SharedCommitTests()
    {
        _data = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = Path.Combine(_folder.Path, "data") });
        _claims = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = Path.Combine(_folder.Path, "claims") });
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Stream Text(string text) => new NonSeekableStream(Encoding.UTF8.GetBytes(text));

    public void Dispose()
    {
        _data.Dispose();
        _claims.Dispose();
        _folder.Dispose();
    }

    /// <summary>One host: its own gate over the shared objects, through the claims store.</summary>
    private (OcflPackageStore Store, GatedStore Gate) Host(bool shared = true, bool coordinated = true)
    {
        IObjectStore objects = new IgnoresCreateOnly(_data);
        var gate = new GatedStore(coordinated ? new CoordinatedObjectStore(objects, _claims) : objects);
        return (new OcflPackageStore(gate, new OcflPackageStoreOptions { SharedStorage = shared, CommitLease = Lease, ClockSkew = Skew }, _time), gate);
    }

    private async Task<string> ReadAsync(OcflPackageStore store, string id, string path)
    {
        await using var file = await store.OpenFileAsync(id, path, cancellationToken: Ct);
        using var reader = new StreamReader(file!.Stream);
        return await reader.ReadToEndAsync(Ct);
    }

    [Fact]
    public void A_shared_root_on_a_store_without_atomic_create_only_is_refused()
    {
        var ex = Assert.Throws<ArchiveValidationException>(() => Host(coordinated: false));
        Assert.Equal("options.shared-needs-atomic-create", Assert.Single(ex.Errors).Rule);
    }

    [Fact]
    public async Task Without_claims_two_single_writer_hosts_both_acknowledge_version_2_and_one_update_is_lost()
    {
        // The hazard the shared mode removes (issue #20): the claim is not atomic, and a single-writer host deletes the
        // other's commit in flight as if it were a crash.
        var (a, gateA) = Host(shared: false, coordinated: false);
        var (b, _) = Host(shared: false, coordinated: false);
        await a.CommitAsync("p", new PackageCommit().Put("x", Text("1")), Ct);
        var paused = gateA.PauseAtPut(k => k.EndsWith("/v2/inventory.json", StringComparison.Ordinal), occurrence: 2);
        var commitA = Task.Run(async () => await a.CommitAsync("p", new PackageCommit().Put("x", Text("from A")), Ct), Ct);
        await paused.Reached;

        var fromB = await b.CommitAsync("p", new PackageCommit().Put("x", Text("from B")), Ct);
        paused.Release();
        var fromA = await commitA;

        Assert.Equal(2, fromB.Head);
        Assert.Equal(2, fromA.Head);

        // B's acknowledged update is gone from the inventory, and A's version points at content B overwrote.
        var final = (await b.GetInventoryAsync("p", Ct))!;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("from A"u8)), Assert.Single(final.Versions[^1].Files).Sha256);
        Assert.False((await b.VerifyAsync("p", Ct)).IsValid);
    }

    [Fact]
    public async Task With_claims_a_commit_in_flight_on_another_host_is_neither_deleted_nor_overtaken()
    {
        var (a, gateA) = Host();
        var (b, _) = Host();
        await a.CommitAsync("p", new PackageCommit().Put("x", Text("1")), Ct);
        var paused = gateA.PauseAtPut(k => k.EndsWith("/v2/inventory.json", StringComparison.Ordinal), occurrence: 2);
        var commitA = Task.Run(async () => await a.CommitAsync("p", new PackageCommit().Put("x", Text("from A")), Ct), Ct);
        await paused.Reached;

        await Assert.ThrowsAsync<PackageConcurrencyException>(async () => await b.CommitAsync("p", new PackageCommit().Put("x", Text("from B")), Ct));
        var report = await b.RecoverAsync(Ct);
        Assert.Equal(1, report.UnfinishedVersionsKept);
        Assert.Equal(0, report.ObjectsDeleted);

        paused.Release();
        Assert.Equal(2, (await commitA).Head);
        Assert.Equal("from A", await ReadAsync(b, "p", "x"));
        Assert.True((await b.VerifyAsync("p", Ct)).IsValid);
    }

    [Fact]
    public async Task Hosts_racing_on_one_package_never_acknowledge_the_same_version_and_lose_no_acknowledged_change()
    {
        var hosts = Enumerable.Range(0, 6).Select(_ => Host().Store).ToArray();
        await hosts[0].CommitAsync("p", new PackageCommit().Put("seed", Text("0")), Ct);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<(int Head, string Path)>();
        var conflicts = 0;
        await Task.WhenAll(hosts.Select((host, h) => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                var path = $"h{h}/{i}";
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        var inventory = await host.CommitAsync("p", new PackageCommit().Put(path, Text(path)), Ct);
                        acknowledged.Add((inventory.Head, path));
                        break;
                    }
                    catch (PackageConcurrencyException) when (attempt < 2000)
                    {
                        Interlocked.Increment(ref conflicts);
                        await Task.Delay(Random.Shared.Next(1, 4 + attempt), Ct);
                    }
                }
            }
        }, Ct)));

        var final = (await hosts[0].GetInventoryAsync("p", Ct))!;
        Assert.Equal(acknowledged.Count + 1, final.Head);
        Assert.Equal(acknowledged.Count, acknowledged.Select(a => a.Head).Distinct().Count());
        foreach (var (head, path) in acknowledged)
        {
            var version = final.Versions[head - 1];
            Assert.Contains(version.Files, f => f.LogicalPath == path);
            Assert.Contains(final.Versions[^1].Files, f => f.LogicalPath == path);
        }

        Assert.True((await hosts[1].VerifyAsync("p", Ct)).IsValid);
        Assert.True(conflicts > 0, "the hosts never raced");
    }

    [Fact]
    public async Task A_dead_hosts_version_is_taken_over_after_lease_and_skew_and_the_stalled_writer_touches_nothing_of_it()
    {
        var (a, gateA) = Host();
        var (b, _) = Host();
        await a.CommitAsync("p", new PackageCommit().Put("x", Text("1")), Ct);
        var root = a.GetObjectRoot("p");

        // A stalls while writing its content, and cannot renew its lease (its network is gone).
        var paused = gateA.PauseAtPut(k => k.Contains("/v2/content/", StringComparison.Ordinal) && k.EndsWith("/x", StringComparison.Ordinal));
        var commitA = Task.Run(async () => await a.CommitAsync("p", new PackageCommit().Put("x", Text("from A")), Ct), Ct);
        await paused.Reached;
        gateA.FailPuts = true;

        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<PackageConcurrencyException>(async () => await b.CommitAsync("p", new PackageCommit().Put("x", Text("from B")), Ct));

        _time.Advance(Skew);
        var fromB = await b.CommitAsync("p", new PackageCommit().Put("x", Text("from B")), Ct);
        Assert.Equal(2, fromB.Head);

        // A wakes up: its content write lands, then it finds the version taken and removes only what it wrote.
        gateA.FailPuts = false;
        paused.Release();
        await Assert.ThrowsAsync<PackageConcurrencyException>(async () => await commitA);

        Assert.Equal("from B", await ReadAsync(a, "p", "x"));
        Assert.True((await a.VerifyAsync("p", Ct)).IsValid);
        var keys = new List<string>();
        await foreach (var item in _data.ListAsync(root + "v2/", cancellationToken: Ct))
        {
            keys.Add(item.Key[(root.Length + 3)..]);
        }

        Assert.Equal(3, keys.Count);
        Assert.Contains("inventory.json", keys);
        Assert.Contains("inventory.json.sha256", keys);
        Assert.Single(keys, k => k.StartsWith("content/.c", StringComparison.Ordinal) && k.EndsWith("/x", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Of_two_hosts_finding_the_same_dead_claim_only_one_takes_it_over()
    {
        var (a, gateA) = Host();
        var (b, gateB) = Host();
        var (c, _) = Host();
        await a.CommitAsync("p", new PackageCommit().Put("x", Text("1")), Ct);
        var paused = gateA.PauseAtPut(k => k.Contains("/v2/content/", StringComparison.Ordinal) && k.EndsWith("/x", StringComparison.Ordinal));
        var commitA = Task.Run(async () => await a.CommitAsync("p", new PackageCommit().Put("x", Text("A")), Ct), Ct);
        await paused.Reached;
        gateA.FailPuts = true;
        _time.Advance(Lease + Skew + TimeSpan.FromSeconds(1));

        // B wins the takeover marker and stops just before removing the dead claim; C comes now.
        var takeover = gateB.PauseAtDelete(k => k.EndsWith("/v2/inventory.json", StringComparison.Ordinal));
        var commitB = Task.Run(async () => await b.CommitAsync("p", new PackageCommit().Put("x", Text("B")), Ct), Ct);
        await takeover.Reached;
        await Assert.ThrowsAsync<PackageConcurrencyException>(async () => await c.CommitAsync("p", new PackageCommit().Put("x", Text("C")), Ct));

        takeover.Release();
        Assert.Equal(2, (await commitB).Head);
        gateA.FailPuts = false;
        paused.Release();
        await Assert.ThrowsAsync<PackageConcurrencyException>(async () => await commitA);
        Assert.Equal("B", await ReadAsync(c, "p", "x"));
        Assert.True((await c.VerifyAsync("p", Ct)).IsValid);
    }

    [Fact]
    public async Task Recovery_removes_a_dead_version_only_after_its_lease_and_leaves_no_marker()
    {
        var (a, gateA) = Host();
        var (b, _) = Host();
        await a.CommitAsync("p", new PackageCommit().Put("x", Text("1")), Ct);
        var paused = gateA.PauseAtPut(k => k.Contains("/v2/content/", StringComparison.Ordinal) && k.EndsWith("/x", StringComparison.Ordinal));
        var commitA = Task.Run(async () => await a.CommitAsync("p", new PackageCommit().Put("x", Text("A")), Ct), Ct);
        await paused.Reached;
        gateA.FailPuts = true;

        Assert.Equal(1, (await b.RecoverAsync(Ct)).UnfinishedVersionsKept);
        _time.Advance(Lease + Skew + TimeSpan.FromSeconds(1));
        var report = await b.RecoverAsync(Ct);
        Assert.Equal(1, report.AbandonedVersionsRemoved);
        Assert.Equal(0, report.UnfinishedVersionsKept);
        var left = new List<string>();
        await foreach (var item in _data.ListAsync(a.GetObjectRoot("p") + "v2/", cancellationToken: Ct))
        {
            left.Add(item.Key);
        }

        Assert.Empty(left);
        Assert.Equal(2, (await b.CommitAsync("p", new PackageCommit().Put("x", Text("B")), Ct)).Head);
        paused.Release();
        gateA.FailPuts = false;
        await Assert.ThrowsAnyAsync<ArchiveException>(async () => await commitA);
        Assert.True((await b.VerifyAsync("p", Ct)).IsValid);
    }

    /// <summary>Ceph's gateway on a versioned bucket: If-None-Match is ignored, so create-only is no guard.</summary>
    private sealed class IgnoresCreateOnly(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public override ObjectStoreCapabilities Capabilities => InnerStore.Capabilities & ~ObjectStoreCapabilities.AtomicCreateOnly;

        public override ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
            => InnerStore.PutAsync(key, content, options is null ? null : options with { CreateOnly = false }, cancellationToken);
    }

    /// <summary>A host's view of the store, where a test can stop a write or delete, or cut the host off.</summary>
    private sealed class GatedStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        private Gate? _put;
        private Gate? _delete;

        /// <summary>Every put fails (the host's network is gone).</summary>
        public bool FailPuts { get; set; }

        public Gate PauseAtPut(Func<string, bool> when, int occurrence = 1) => _put = new Gate(when, occurrence);

        public Gate PauseAtDelete(Func<string, bool> when) => _delete = new Gate(when, 1);

        public override async ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (_put is { } gate && gate.Matches(key))
            {
                await gate.WaitAsync();
            }

            if (FailPuts)
            {
                throw new ArchiveStorageException(SystemName, ContainerName, "put", key, "the host is cut off");
            }

            return await InnerStore.PutAsync(key, content, options, cancellationToken);
        }

        public override async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            if (_delete is { } gate && gate.Matches(key))
            {
                await gate.WaitAsync();
            }

            return await InnerStore.DeleteAsync(key, cancellationToken);
        }
    }

    private sealed class Gate(Func<string, bool> when, int occurrence)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _seen;

        public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public bool Matches(string key) => when(key) && Interlocked.Increment(ref _seen) == occurrence;

        public void Release() => _release.TrySetResult();

        public async Task WaitAsync()
        {
            _reached.TrySetResult();
            await _release.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }
}

/// <summary>Registries of several hosts on one storage see each other's changes within their cache age.</summary>
public sealed class SharedRegistryTests : IDisposable
{
    private readonly PackageTempFolder _folder = new("shared-registry");
    private readonly FileSystemObjectStore _objects;

    public SharedRegistryTests() => _objects = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path });

    public void Dispose()
    {
        _objects.Dispose();
        _folder.Dispose();
    }

    private Archive.Records.ArchiveStorage Storage(TimeSpan? maxAge) => new(
        _objects,
        (objects, root) => new OcflPackageStore(objects, new OcflPackageStoreOptions { Prefix = root, SharedStorage = true }))
    {
        RegistryCacheMaxAge = maxAge,
    };

    private Archive.Records.AgencyRegistry Host(TimeSpan? maxAge) => new(Storage(maxAge));

    [Fact]
    public async Task A_retention_schedule_saved_on_one_host_applies_on_another_once_its_cache_is_older_than_the_maximum_age()
    {
        var ct = TestContext.Current.CancellationToken;
        var storageA = Storage(null);
        var agenciesA = new Archive.Records.AgencyRegistry(storageA);
        await agenciesA.CreateAsync(new Archive.Records.Agency { Id = "000.00.00.H02", Name = "Sở Tư pháp" }, Archive.Core.Tests.Records.ArchiveHarness.User, ct);
        var a = new Archive.Retention.RetentionScheduleService(storageA, agenciesA);
        var storageB = Storage(TimeSpan.FromMilliseconds(200));
        var b = new Archive.Retention.RetentionScheduleService(storageB, new Archive.Records.AgencyRegistry(storageB));
        Assert.Null((await b.GetEffectiveAsync("000.00.00.H02", ct)).Find("H02.01"));

        var csv = "mã,tên hồ sơ,thời hạn lưu trữ,nhóm,căn cứ\nH02.01,Hồ sơ hộ tịch,Vĩnh viễn,,\n";
        await a.ImportAgencyScheduleAsync("000.00.00.H02", new MemoryStream(Encoding.UTF8.GetBytes(csv)), Archive.Retention.RetentionScheduleFormat.Csv, 0, Archive.Core.Tests.Records.ArchiveHarness.User, ct);
        await Task.Delay(300, ct);

        Assert.NotNull((await b.GetEffectiveAsync("000.00.00.H02", ct)).Find("H02.01"));
    }

    [Fact]
    public async Task An_agency_created_on_one_host_is_seen_by_another_once_its_cache_is_older_than_the_maximum_age()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = Host(null);
        var b = Host(TimeSpan.FromMilliseconds(200));
        var forever = Host(null);
        Assert.Null(await b.GetAsync("000.00.00.H01", ct));
        Assert.Null(await forever.GetAsync("000.00.00.H01", ct));

        await a.CreateAsync(new Archive.Records.Agency { Id = "000.00.00.H01", Name = "Sở Nội vụ" }, Archive.Core.Tests.Records.ArchiveHarness.User, ct);
        await Task.Delay(300, ct);

        Assert.NotNull(await b.GetAsync("000.00.00.H01", ct));
        Assert.Null(await forever.GetAsync("000.00.00.H01", ct)); // a single host's cache is never read again
    }
}
