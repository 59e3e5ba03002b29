using Archive.Hosting;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Archive.Testing.Storage;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Archive.Core.Tests.Hosting;

/// <summary>Leases across hosts in the object store (<see cref="StorageLeases"/>): one holder, renewal, loss, takeover.</summary>
public sealed class StorageLeasesTests : IDisposable
{
    private static readonly ArchiveHostsOptions Shared = new() { Shared = true, Lease = TimeSpan.FromMinutes(2), ClockSkew = TimeSpan.FromSeconds(30) };
    private readonly Archive.Core.Tests.Packages.PackageTempFolder _folder = new("leases");
    private readonly FileSystemObjectStore _objects;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public StorageLeasesTests() => _objects = new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _objects.Dispose();
        _folder.Dispose();
    }

    private async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        await foreach (var item in _objects.ListAsync(StorageLeases.Prefix, cancellationToken: Ct))
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 500 && !await condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        Assert.True(await condition());
    }

    [Fact]
    public async Task With_one_host_every_lease_is_granted_and_nothing_is_written()
    {
        var leases = new StorageLeases(_objects, new ArchiveHostsOptions());
        await using var a = await leases.TryAcquireAsync("jobs/x", Ct);
        await using var b = await leases.TryAcquireAsync("jobs/x", Ct);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Of_eight_hosts_taking_a_lease_at_once_one_gets_it_and_after_its_release_another()
    {
        var hosts = Enumerable.Range(0, 8).Select(_ => new StorageLeases(_objects, Shared, _time)).ToArray();
        var got = await Task.WhenAll(hosts.Select(h => Task.Run(async () => await h.TryAcquireAsync("jobs/x", Ct), Ct)));
        var winner = Assert.Single(got, l => l is not null)!;
        Assert.Equal(hosts[Array.IndexOf(got, winner)].Holder, (await hosts[0].GetAsync("jobs/x", Ct))!.Holder);

        await winner.DisposeAsync();
        Assert.Null(await hosts[0].GetAsync("jobs/x", Ct));
        await using var next = await hosts[1].TryAcquireAsync("jobs/x", Ct);
        Assert.NotNull(next);
        Assert.Single(await KeysAsync()); // the released generation is gone
    }

    [Fact]
    public async Task A_renewed_lease_holds_past_its_duration()
    {
        var a = new StorageLeases(_objects, Shared, _time);
        var b = new StorageLeases(_objects, Shared, _time);
        await using var lease = (await a.TryAcquireAsync("jobs/x", Ct))!;
        var started = _time.GetUtcNow();
        for (var i = 0; i < 9; i++)
        {
            // Small steps: the renewal's next timer may be set only after the previous renewal's write returned.
            var before = (await a.GetAsync("jobs/x", Ct))!.Expires;
            for (var step = 0; step < 20 && (await a.GetAsync("jobs/x", Ct))!.Expires <= before; step++)
            {
                _time.Advance(TimeSpan.FromSeconds(5));
                await Task.Delay(20, Ct);
            }

            await EventuallyAsync(async () => (await a.GetAsync("jobs/x", Ct))?.Expires > before);
        }

        Assert.True(_time.GetUtcNow() - started > TimeSpan.FromMinutes(4), "the test did not outlast the lease");

        Assert.False(lease.Lost.IsCancellationRequested);
        Assert.Null(await b.TryAcquireAsync("jobs/x", Ct));
    }

    [Fact]
    public async Task A_lease_its_holder_cannot_renew_is_lost_by_the_holder_before_another_host_may_take_it()
    {
        var cut = new CutOffStore(_objects);
        var a = new StorageLeases(cut, Shared, _time);
        var b = new StorageLeases(_objects, Shared, _time);
        var lease = (await a.TryAcquireAsync("jobs/x", Ct))!;
        cut.Off = true;

        // Second by second (the renewal's timers are set as its attempts fail): the holder counts the lease lost once
        // it has run out, before the lease plus the clock skew has passed.
        var elapsed = 0;
        while (!lease.Lost.IsCancellationRequested && elapsed < 149)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            elapsed++;
            await Task.Delay(elapsed >= 120 ? 50 : 5, Ct);
        }

        Assert.True(lease.Lost.IsCancellationRequested, "the holder did not notice its lease ran out");
        Assert.True(elapsed >= 120, $"lost after {elapsed} s, before the lease ran out");
        Assert.Null(await b.TryAcquireAsync("jobs/x", Ct)); // not before the clock skew has passed too

        _time.Advance(TimeSpan.FromSeconds(151 - elapsed));
        await using var taken = await b.TryAcquireAsync("jobs/x", Ct);
        Assert.NotNull(taken);
        Assert.Equal(b.Holder, (await b.GetAsync("jobs/x", Ct))!.Holder);
        Assert.Single(await KeysAsync());
        await lease.DisposeAsync();
        Assert.Equal(b.Holder, (await b.GetAsync("jobs/x", Ct))!.Holder); // the lost holder's release changes nothing
    }

    [Fact]
    public void A_shared_lease_store_needs_atomic_create_only_writes()
    {
        var ex = Assert.Throws<ArchiveValidationException>(() => new StorageLeases(new NoAtomicCreate(_objects), Shared));
        Assert.Equal("hosts.shared-needs-atomic-create", Assert.Single(ex.Errors).Rule);
    }

    [Fact]
    public async Task A_reindex_held_by_another_host_is_refused_as_a_running_job_naming_that_host()
    {
        var other = new StorageLeases(_objects, Shared, _time);
        await using var held = (await other.TryAcquireAsync(Archive.Indexing.ReindexService.Lease, Ct))!;
        var storage = new Archive.Records.ArchiveStorage(_objects, (objects, root) => new Archive.Packages.OcflPackageStore(objects, new Archive.Packages.OcflPackageStoreOptions { Prefix = root, SharedStorage = true }));
        var index = new Moq.Mock<Archive.Search.ISearchIndex>(Moq.MockBehavior.Strict);
        var reindex = new Archive.Indexing.ReindexService(
            storage,
            new Archive.Indexing.RecordIndexer(storage, index.Object),
            Microsoft.Extensions.Options.Options.Create(new ArchiveOptions { DataPath = _folder.Path, Hosts = Shared }),
            _time,
            null,
            new StorageLeases(_objects, Shared, _time));

        var ex = await Assert.ThrowsAsync<Archive.ArchiveConflictException>(async () => await reindex.RunAsync(cancellationToken: Ct));
        Assert.Equal(Archive.ConflictRules.JobRunning, ex.Rule);
        Assert.Contains(other.Holder, ex.Message, StringComparison.Ordinal);
        Assert.Equal(Archive.Indexing.ReindexState.Failed, reindex.Status.State);
        index.VerifyNoOtherCalls(); // nothing was indexed

        // Its progress, as the other host's last checkpoint says, is what this host reports; once released, its own.
        var checkpoint = new Archive.Indexing.ReindexCheckpoint { Mode = "upsert", Processed = 300, LastFileCode = "G09.2024.01.TCCB", StartedAt = _time.GetUtcNow(), UpdatedAt = _time.GetUtcNow() };
        await _objects.PutBytesAsync(Archive.Indexing.ReindexService.CheckpointKey, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(checkpoint, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)), cancellationToken: Ct);
        var elsewhere = await reindex.GetStatusAsync(Ct);
        Assert.Equal((Archive.Indexing.ReindexState.Running, 300L, "G09.2024.01.TCCB"), (elsewhere.State, elsewhere.Processed, elsewhere.LastFileCode));
        await held.ReleaseAsync();
        Assert.Equal(Archive.Indexing.ReindexState.Failed, (await reindex.GetStatusAsync(Ct)).State);
    }

    private sealed class CutOffStore(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public bool Off { get; set; }

        public override ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
            => Off ? throw new ArchiveStorageException(SystemName, ContainerName, "put", key, "cut off") : base.PutAsync(key, content, options, cancellationToken);
    }

    private sealed class NoAtomicCreate(IObjectStore inner) : DelegatingObjectStore(inner)
    {
        public override ObjectStoreCapabilities Capabilities => ObjectStoreCapabilities.None;
    }
}
