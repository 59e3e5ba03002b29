using System.Text;
using Archive.Testing.Support;
using Archive.Storage;
using Archive.Storage.Minio;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Api.Tests.Support;

/// <summary>
/// The standalone host with the MinIO/S3 adapter registered after the embedded defaults (the last registration
/// wins), against the S3 server that scripts/test.sh starts (ARCHIVE_S3_* variables), in a fresh Object Lock bucket.
/// The search index stays the embedded one in the temporary data folder.
/// </summary>
public sealed class MinioApiFactory : ApiFactory
{
    private static readonly string? Endpoint = Environment.GetEnvironmentVariable("ARCHIVE_S3_ENDPOINT");
    private static readonly string? AccessKey = Environment.GetEnvironmentVariable("ARCHIVE_S3_ACCESS_KEY");
    private static readonly string? SecretKey = Environment.GetEnvironmentVariable("ARCHIVE_S3_SECRET_KEY");

    private readonly string _bucket = "archive-api-" + Guid.NewGuid().ToString("N")[..10];

    private bool Configured => !string.IsNullOrEmpty(Endpoint) && !string.IsNullOrEmpty(AccessKey) && !string.IsNullOrEmpty(SecretKey);

    public override void RequireServer()
        => ServerRequirement.Require(Configured, "No S3 server: ARCHIVE_S3_ENDPOINT / ARCHIVE_S3_ACCESS_KEY / ARCHIVE_S3_SECRET_KEY are not set; run scripts/test.sh, or start one with scripts/s3-test-server.sh start DIR and source DIR/env");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (!Configured)
        {
            return;
        }

        builder.ConfigureTestServices(services => new Builder(services).AddMinioStorage(o =>
        {
            o.Endpoint = Endpoint;
            o.AccessKey = AccessKey;
            o.SecretKey = SecretKey;
            o.Secure = string.Equals(Environment.GetEnvironmentVariable("ARCHIVE_S3_SECURE"), "true", StringComparison.OrdinalIgnoreCase);
            o.Bucket = _bucket;
            o.CreateBucket = true;
        }));
    }

    /// <summary>What is stored in the bucket (key, length, ETag, digest): equal before and after means nothing changed.</summary>
    public override string StoreDigest()
    {
        WaitForProjection();
        var store = Services.GetRequiredService<IObjectStore>();
        Assert.IsType<MinioObjectStore>(store);
        var sb = new StringBuilder();
        foreach (var o in store.ListAsync("").ToBlockingEnumerable())
        {
            if (IsAuditTrail(o.Key))
            {
                continue;
            }

            sb.Append(o.Key).Append(' ').Append(o.Length).Append(' ').Append(o.ETag).Append(' ').Append(o.Sha256).Append('\n');
        }

        return sb.ToString();
    }

    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
