using Archive.Storage.Minio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Minio;
using Minio.DataModel.Args;

namespace Archive.Storage.Minio.Tests;

/// <summary>Bucket creation, the object-lock requirement, the health check and DI registration against the real server.</summary>
public sealed class BucketAndRegistrationTests(S3ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    private void Configure(MinioStorageOptions o, string bucket, bool create = false)
    {
        o.Endpoint = server.Endpoint;
        o.AccessKey = server.AccessKey;
        o.SecretKey = server.SecretKey;
        o.Secure = server.Secure;
        o.Bucket = bucket;
        o.CreateBucket = create;
    }

    [Fact]
    public async Task CreateBucket_makes_a_bucket_with_object_lock_on_first_use()
    {
        server.Require();
        var bucket = S3ServerFixture.NewBucketName("created");
        using var store = new MinioObjectStore(server.Options(bucket) is var o ? With(o, create: true) : null!);
        await store.PutBytesAsync("a/b", new byte[] { 1 }, cancellationToken: Ct);
        var config = await server.Client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationArgs().WithBucket(bucket), Ct);
        Assert.Equal("Enabled", config.ObjectLockEnabled);
        Assert.NotNull(await store.StatAsync("a/b", Ct));
    }

    [Fact]
    public async Task A_missing_bucket_is_a_storage_error_naming_the_bucket()
    {
        server.Require();
        var bucket = S3ServerFixture.NewBucketName("missing");
        using var store = new MinioObjectStore(server.Options(bucket));
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await store.StatAsync("x", Ct));
        Assert.Equal("s3", ex.System);
        Assert.Equal(bucket, ex.Container);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bucket_without_object_lock_is_refused_unless_allowed()
    {
        server.Require();
        var bucket = S3ServerFixture.NewBucketName("nolock");
        await server.Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket), Ct);

        using var strict = new MinioObjectStore(server.Options(bucket));
        var ex = await Assert.ThrowsAsync<ArchiveStorageException>(async () => await strict.PutBytesAsync("k", new byte[] { 1 }, cancellationToken: Ct));
        Assert.Contains("Object Lock", ex.Message, StringComparison.Ordinal);
        var health = await new MinioBucketHealthCheck(strict).CheckHealthAsync(Context(), Ct);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);

        var relaxed = server.Options(bucket);
        relaxed.RequireObjectLock = false;
        using var lax = new MinioObjectStore(relaxed);
        await lax.PutBytesAsync("k", new byte[] { 1 }, cancellationToken: Ct);
        Assert.True(await lax.DeleteAsync("k", Ct));
        Assert.Equal(HealthStatus.Healthy, (await new MinioBucketHealthCheck(lax).CheckHealthAsync(Context(), Ct)).Status);
    }

    [Fact]
    public async Task Health_check_reports_a_reachable_locked_bucket_healthy_and_a_dead_server_unhealthy()
    {
        server.Require();
        var healthy = await new MinioBucketHealthCheck(server.Store).CheckHealthAsync(Context(), Ct);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Contains("object lock", healthy.Description, StringComparison.Ordinal);

        var dead = server.Options();
        dead.Endpoint = "127.0.0.1:1";
        using var store = new MinioObjectStore(dead);
        var result = await new MinioBucketHealthCheck(store).CheckHealthAsync(Context(HealthStatus.Degraded), Ct);
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.IsAssignableFrom<ArchiveStorageException>(result.Exception);
    }

    [Fact]
    public async Task AddMinioStorage_registers_the_store_and_the_health_check_without_building_the_provider()
    {
        server.Require();
        var services = new ServiceCollection();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IObjectStore>(new Mock<IObjectStore>().Object); // an embedded default registered first
        new Builder(services).AddMinioStorage(o => Configure(o, server.Bucket));
        services.AddHealthChecks().AddArchiveMinio();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var store = provider.GetRequiredService<IObjectStore>();
        Assert.IsType<MinioObjectStore>(store);
        Assert.Same(store, provider.GetRequiredService<MinioObjectStore>());
        await store.PutBytesAsync("di/" + Guid.NewGuid().ToString("N"), new byte[] { 1 }, cancellationToken: Ct);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Healthy, report.Entries["archive-minio"].Status);
    }

    [Fact]
    public async Task A_host_supplied_client_is_used_and_not_disposed()
    {
        server.Require();
        var services = new ServiceCollection();
        var hostClient = new MinioClient().WithEndpoint(server.Endpoint).WithCredentials(server.AccessKey, server.SecretKey).WithSSL(server.Secure).Build();
        services.AddSingleton<IMinioClient>(hostClient);
        // No endpoint or credentials in the options: they come with the host's client.
        new Builder(services).AddMinioStorage(o => o.Bucket = server.Bucket);
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            var store = provider.GetRequiredService<IObjectStore>();
            await store.PutBytesAsync("host/" + Guid.NewGuid().ToString("N"), new byte[] { 1 }, cancellationToken: Ct);
        }

        // Still usable after the container (and the store) were disposed.
        Assert.True(await hostClient.BucketExistsAsync(new BucketExistsArgs().WithBucket(server.Bucket), Ct));
        hostClient.Dispose();
    }

    private static HealthCheckContext Context(HealthStatus failure = HealthStatus.Unhealthy) => new()
    {
        Registration = new HealthCheckRegistration("archive-minio", _ => null!, failure, null),
    };

    private static MinioStorageOptions With(MinioStorageOptions o, bool create)
    {
        o.CreateBucket = create;
        return o;
    }
}
