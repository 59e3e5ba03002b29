using Archive.Storage.Minio;
using Archive.Testing.Storage;
using global::Minio;
using global::Minio.DataModel.Args;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Storage.Minio.Tests;

/// <summary>
/// The object store contract on the Ceph gateway through <see cref="CoordinatedObjectStore"/>: an Object Lock bucket
/// (where the gateway ignores If-None-Match) with its create-only writes claimed in an unversioned coordination bucket.
/// The contract's race test then demands exactly one winner of eight concurrent create-only writers.
/// </summary>
public sealed class MinioCoordinatedConformanceTests(S3ServerFixture server) : ObjectStoreConformanceTests
{
    protected override bool SupportsRetention => true;

    protected override RetentionEnforcement? ExpectedEnforcement => RetentionEnforcement.Worm;

    protected override ObjectStoreCapabilities ExpectedCapabilities => ObjectStoreCapabilities.NativeRangedRead | ObjectStoreCapabilities.AtomicCreateOnly;

    protected override async ValueTask<IObjectStore> CreateStoreAsync()
    {
        server.Require();
        var coordinationBucket = await CoordinationBucketTests.NewUnversionedBucketAsync(server);
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = Path.GetTempPath()).AddMinioStorage(o =>
        {
            var options = server.Options();
            o.Endpoint = options.Endpoint;
            o.AccessKey = options.AccessKey;
            o.SecretKey = options.SecretKey;
            o.Secure = options.Secure;
            o.Bucket = server.Bucket;
            o.KeyPrefix = "coordinated/";
            o.CoordinationBucket = coordinationBucket;
        });
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<IObjectStore>();
    }

    private ServiceProvider? _provider;

    protected override async ValueTask DisposeStoreAsync(IObjectStore store)
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }
}

/// <summary>The coordination bucket is checked before its first use.</summary>
public sealed class CoordinationBucketTests(S3ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<string> NewUnversionedBucketAsync(S3ServerFixture server)
    {
        var name = S3ServerFixture.NewBucketName("claims");
        await server.Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(name), TestContext.Current.CancellationToken);
        return name;
    }

    private CoordinatedObjectStore Coordinated(string coordinationBucket)
    {
        var options = server.Options();
        options.KeyPrefix = "probe-" + Guid.NewGuid().ToString("N")[..6] + "/";
        options.CoordinationBucket = coordinationBucket;
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = Path.GetTempPath()).AddMinioStorage(o =>
        {
            o.Endpoint = options.Endpoint;
            o.AccessKey = options.AccessKey;
            o.SecretKey = options.SecretKey;
            o.Secure = options.Secure;
            o.Bucket = options.Bucket;
            o.KeyPrefix = options.KeyPrefix;
            o.CoordinationBucket = options.CoordinationBucket;
        });
        return (CoordinatedObjectStore)services.BuildServiceProvider().GetRequiredService<IObjectStore>();
    }

    [Fact]
    public async Task Of_eight_concurrent_create_only_writers_on_the_object_lock_bucket_one_wins()
    {
        server.Require();
        var coordinated = Coordinated(await NewUnversionedBucketAsync(server));
        for (var round = 0; round < 5; round++)
        {
            Assert.Equal(1, await RaceAsync(coordinated, "race-" + round));
        }
    }

    [Fact]
    public async Task A_versioned_coordination_bucket_is_refused_naming_the_option()
    {
        server.Require();
        var name = S3ServerFixture.NewBucketName("claimsv");
        await server.Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(name), Ct);
        await server.Client.SetVersioningAsync(new SetVersioningArgs().WithBucket(name).WithVersioningEnabled(), Ct);
        var coordinated = Coordinated(name);

        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await coordinated.PutBytesAsync("x", new byte[] { 1 }, new PutObjectOptions { CreateOnly = true }, Ct));
        Assert.Contains("versioning", ex.Message, StringComparison.Ordinal);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        Assert.Null(await server.Store.StatAsync("x", Ct));
    }

    [Fact]
    public async Task A_deleted_object_can_be_created_again_and_its_claim_goes_with_it()
    {
        server.Require();
        var coordinated = Coordinated(await NewUnversionedBucketAsync(server));
        await coordinated.PutBytesAsync("k", new byte[] { 1 }, new PutObjectOptions { CreateOnly = true }, Ct);
        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(async () => await coordinated.PutBytesAsync("k", new byte[] { 2 }, new PutObjectOptions { CreateOnly = true }, Ct));
        Assert.True(await coordinated.DeleteAsync("k", Ct));
        Assert.Null(await coordinated.Claims.StatAsync("k", Ct));
        await coordinated.PutBytesAsync("k", new byte[] { 3 }, new PutObjectOptions { CreateOnly = true }, Ct);
        Assert.NotNull(await coordinated.Claims.StatAsync("k", Ct));
    }

    private static async Task<int> RaceAsync(IObjectStore store, string key)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.PutBytesAsync(key, new byte[] { (byte)i }, new PutObjectOptions { CreateOnly = true }, Ct);
                return 1;
            }
            catch (ObjectAlreadyExistsException)
            {
                return 0;
            }
        })));
        return results.Sum();
    }
}
