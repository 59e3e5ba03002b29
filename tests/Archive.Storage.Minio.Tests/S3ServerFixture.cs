using Archive.Testing.Support;
using Archive.Storage.Minio;
using Minio;
using Minio.DataModel.Args;
using Xunit;

namespace Archive.Storage.Minio.Tests;

/// <summary>
/// The real S3 server (Ceph RADOS Gateway started by scripts/s3-test-server.sh, or any S3 server with Object Lock)
/// named by ARCHIVE_S3_ENDPOINT, ARCHIVE_S3_ACCESS_KEY, ARCHIVE_S3_SECRET_KEY and ARCHIVE_S3_SECURE. One fresh bucket
/// with object lock per test run; tests that need the server call <see cref="Require"/> (skips locally, fails under CI=true).
/// An assembly fixture of this project (S3ServerAssemblyFixture.cs); compiled into Archive.Api.Tests too (linked), where
/// the server-process tests use it as a class fixture.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public const string HowToStart = "start one with `scripts/s3-test-server.sh start /tmp/s3-dev` and `set -a; . /tmp/s3-dev/env; set +a` (scripts/test.sh does this)";

    private MinioObjectStore? _store;

    public bool Available { get; private set; }

    public string Reason { get; private set; } = "not initialised";

    public string Endpoint { get; } = Environment.GetEnvironmentVariable("ARCHIVE_S3_ENDPOINT") ?? "";

    public string AccessKey { get; } = Environment.GetEnvironmentVariable("ARCHIVE_S3_ACCESS_KEY") ?? "";

    public string SecretKey { get; } = Environment.GetEnvironmentVariable("ARCHIVE_S3_SECRET_KEY") ?? "";

    public bool Secure { get; } = string.Equals(Environment.GetEnvironmentVariable("ARCHIVE_S3_SECURE"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The bucket (object lock enabled) made for this run.</summary>
    public string Bucket { get; } = "archive-test-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A raw SDK client for assertions below the adapter.</summary>
    public IMinioClient Client { get; private set; } = null!;

    /// <summary>A store over the run's bucket, shared by the tests (not disposed by them).</summary>
    public MinioObjectStore Store => _store ?? throw new InvalidOperationException(Reason);

    public void Require() => ServerRequirement.Require(Available, Reason);

    public MinioStorageOptions Options(string? bucket = null, string keyPrefix = "") => new()
    {
        Endpoint = Endpoint,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        Secure = Secure,
        Bucket = bucket ?? Bucket,
        KeyPrefix = keyPrefix,
    };

    public static string NewBucketName(string kind) => $"archive-{kind}-{Guid.NewGuid().ToString("N")[..8]}";

    public async ValueTask InitializeAsync()
    {
        if (string.IsNullOrEmpty(Endpoint) || string.IsNullOrEmpty(AccessKey) || string.IsNullOrEmpty(SecretKey))
        {
            Reason = "No S3 server: ARCHIVE_S3_ENDPOINT / ARCHIVE_S3_ACCESS_KEY / ARCHIVE_S3_SECRET_KEY are not set; " + HowToStart;
            return;
        }

        try
        {
            Client = new MinioClient().WithEndpoint(Endpoint).WithCredentials(AccessKey, SecretKey).WithRegion("us-east-1").WithSSL(Secure).Build();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await Client.MakeBucketAsync(new MakeBucketArgs().WithBucket(Bucket).WithObjectLock(), timeout.Token);
            _store = new MinioObjectStore(Options());
            await _store.EnsureReadyAsync(timeout.Token);
            Available = true;
            Reason = "";
        }
        catch (Exception e)
        {
            Reason = $"The S3 server at {Endpoint} is not usable ({e.GetType().Name}: {e.Message}); " + HowToStart;
        }
    }

    public ValueTask DisposeAsync()
    {
        // The bucket holds retained objects and cannot be removed before they expire; the test server is throwaway.
        _store?.Dispose();
        (Client as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }
}
