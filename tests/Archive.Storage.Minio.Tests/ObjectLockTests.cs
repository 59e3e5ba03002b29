using System.Text;
using Archive.Testing.Storage;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Archive.Storage.Minio.Tests;

/// <summary>S3 Object Lock as seen on the real server, below and through the adapter.</summary>
public sealed class ObjectLockTests(S3ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _root = "lock-" + Guid.NewGuid().ToString("N")[..8] + "/";

    private MinioObjectStore Store
    {
        get
        {
            server.Require();
            return server.Store;
        }
    }

    private async Task<string> VersionIdAsync(string key)
        => (await server.Client.StatObjectAsync(new StatObjectArgs().WithBucket(server.Bucket).WithObject(key), Ct)).VersionId;

    private async Task<bool> VersionExistsAsync(string key, string versionId)
    {
        try
        {
            await server.Client.StatObjectAsync(new StatObjectArgs().WithBucket(server.Bucket).WithObject(key).WithVersionId(versionId), Ct);
            return true;
        }
        catch (MinioException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_locked_version_survives_a_refused_delete_and_stays_readable()
    {
        var store = Store;
        var key = _root + "compliance.bin";
        await store.PutBytesAsync(key, Encoding.UTF8.GetBytes("hồ sơ"), new PutObjectOptions
        {
            Retention = new ObjectRetention(RetentionMode.Compliance, DateTimeOffset.UtcNow.AddMinutes(2)),
        }, Ct);
        var version = await VersionIdAsync(key);

        var ex = await Assert.ThrowsAsync<ObjectLockedException>(async () => await store.DeleteAsync(key, Ct));
        Assert.Contains("Compliance", ex.Reason, StringComparison.Ordinal);
        Assert.IsAssignableFrom<MinioException>(ex.InnerException);

        // No delete marker was added: the key still reads, and the same version is current.
        Assert.Equal(version, await VersionIdAsync(key));
        await using var content = await store.GetAsync(key, cancellationToken: Ct);
        Assert.Equal("hồ sơ", Encoding.UTF8.GetString(await StreamAssert.ReadAllAsync(content!.Stream, Ct)));

        // Below the adapter: the server itself refuses to delete the version (WORM, not advisory).
        var raw = await Assert.ThrowsAsync<UnexpectedMinioException>(() =>
            server.Client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(server.Bucket).WithObject(key).WithVersionId(version), Ct));
        Assert.Equal("AccessDenied", raw.Response.Code);
    }

    [Fact]
    public async Task Compliance_retention_cannot_be_shortened_even_with_the_bypass_option()
    {
        server.Require();
        using var bypassing = new MinioObjectStore(new MinioStorageOptions
        {
            Endpoint = server.Endpoint, AccessKey = server.AccessKey, SecretKey = server.SecretKey, Secure = server.Secure,
            Bucket = server.Bucket, BypassGovernanceRetention = true,
        });
        var key = _root + "no-shortening";
        var until = DateTimeOffset.UtcNow.AddMinutes(2);
        await bypassing.PutBytesAsync(key, new byte[] { 1 }, new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Compliance, until) }, Ct);

        await Assert.ThrowsAsync<ObjectLockedException>(async () =>
            await bypassing.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Compliance, until.AddMinutes(-1)), Ct));
        await Assert.ThrowsAsync<ObjectLockedException>(async () =>
            await bypassing.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Governance, until.AddMinutes(1)), Ct));
        var got = await bypassing.GetRetentionAsync(key, Ct);
        Assert.Equal(RetentionMode.Compliance, got!.Mode);
        Assert.True(got.RetainUntil >= until.AddSeconds(-1));
    }

    [Fact]
    public async Task Governance_retention_can_be_shortened_only_with_the_bypass_option()
    {
        server.Require();
        var key = _root + "governance";
        var until = DateTimeOffset.UtcNow.AddMinutes(2);
        await Store.PutBytesAsync(key, new byte[] { 1 }, new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Governance, until) }, Ct);
        await Assert.ThrowsAsync<ObjectLockedException>(async () =>
            await Store.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Governance, until.AddMinutes(-1)), Ct));

        using var bypassing = new MinioObjectStore(new MinioStorageOptions
        {
            Endpoint = server.Endpoint, AccessKey = server.AccessKey, SecretKey = server.SecretKey, Secure = server.Secure,
            Bucket = server.Bucket, BypassGovernanceRetention = true,
        });
        var shorter = DateTimeOffset.UtcNow.AddSeconds(30);
        await bypassing.SetRetentionAsync(key, new ObjectRetention(RetentionMode.Governance, shorter), Ct);
        Assert.True((await bypassing.GetRetentionAsync(key, Ct))!.RetainUntil < until.AddMinutes(-1));
    }

    [Fact]
    public async Task Legal_hold_blocks_delete_and_lifting_it_deletes_the_version_for_good()
    {
        var store = Store;
        var key = _root + "held";
        await store.PutBytesAsync(key, new byte[] { 1, 2 }, cancellationToken: Ct);
        var version = await VersionIdAsync(key);
        await store.SetLegalHoldAsync(key, true, Ct);

        var ex = await Assert.ThrowsAsync<ObjectLockedException>(async () => await store.DeleteAsync(key, Ct));
        Assert.Contains("legal hold", ex.Reason, StringComparison.Ordinal);
        Assert.True(await VersionExistsAsync(key, version));

        await store.SetLegalHoldAsync(key, false, Ct);
        Assert.True(await store.DeleteAsync(key, Ct));
        Assert.Null(await store.StatAsync(key, Ct));
        Assert.False(await VersionExistsAsync(key, version), "the version should be deleted, not hidden behind a delete marker");
    }

    [Fact]
    public async Task Retention_expires_and_then_the_object_can_be_deleted()
    {
        var store = Store;
        var key = _root + "expiring";
        var until = DateTimeOffset.UtcNow.AddSeconds(6);
        await store.PutBytesAsync(key, new byte[] { 7 }, new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Compliance, until) }, Ct);
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await store.DeleteAsync(key, Ct));

        // Retention is kept to the second and rounded up: wait past it.
        await Task.Delay(MinioObjectStore.RoundUp(until) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5), Ct);
        Assert.True(await store.DeleteAsync(key, Ct));
        Assert.Null(await store.StatAsync(key, Ct));
    }

    [Fact]
    public async Task Retention_requested_on_a_multipart_write_is_applied()
    {
        // The SDK drops object-lock headers on multipart uploads; the adapter applies them after completion.
        var store = Store;
        var key = _root + "big-retained.bin";
        var until = DateTimeOffset.UtcNow.AddMinutes(2);
        using var source = new GeneratedStream(MinioObjectStore.SinglePartLimit + 1234, 11);
        var info = await store.PutAsync(key, source, new PutObjectOptions { Retention = new ObjectRetention(RetentionMode.Compliance, until) }, Ct);
        Assert.Equal(source.Sha256, info.Sha256);

        var got = await store.GetRetentionAsync(key, Ct);
        Assert.Equal(RetentionMode.Compliance, got?.Mode);
        Assert.True(got!.RetainUntil >= until.AddSeconds(-1));
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await store.DeleteAsync(key, Ct));
    }

    [Fact]
    public async Task Default_retention_from_the_options_is_applied_to_every_write()
    {
        server.Require();
        using var store = new MinioObjectStore(new MinioStorageOptions
        {
            Endpoint = server.Endpoint, AccessKey = server.AccessKey, SecretKey = server.SecretKey, Secure = server.Secure,
            Bucket = server.Bucket, DefaultRetentionDays = 1, DefaultRetentionMode = RetentionMode.Governance,
        });
        var key = _root + "default-retention";
        await store.PutBytesAsync(key, new byte[] { 1 }, cancellationToken: Ct);
        var got = await store.GetRetentionAsync(key, Ct);
        Assert.Equal(RetentionMode.Governance, got?.Mode);
        Assert.InRange(got!.RetainUntil, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
    }

    [Fact]
    public async Task Delete_after_overwrite_hides_the_older_version_so_the_key_reads_absent()
    {
        var store = Store;
        var key = _root + "two-versions";
        await store.PutBytesAsync(key, new byte[] { 1 }, cancellationToken: Ct);
        var first = await VersionIdAsync(key);
        await store.PutBytesAsync(key, new byte[] { 2 }, cancellationToken: Ct);
        var second = await VersionIdAsync(key);
        Assert.NotEqual(first, second);

        Assert.True(await store.DeleteAsync(key, Ct));
        Assert.Null(await store.StatAsync(key, Ct));
        Assert.Null(await store.GetAsync(key, cancellationToken: Ct));
        Assert.False(await VersionExistsAsync(key, second));
        Assert.True(await VersionExistsAsync(key, first), "the older version is kept (hidden by a delete marker), not destroyed");
        Assert.False(await store.DeleteAsync(key, Ct));
    }

    [Fact]
    public async Task Retention_in_the_past_is_rejected_before_anything_is_written()
    {
        var store = Store;
        var key = _root + "past";
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await store.PutBytesAsync(key, new byte[] { 1 }, new PutObjectOptions
        {
            Retention = new ObjectRetention(RetentionMode.Compliance, DateTimeOffset.UtcNow.AddMinutes(-1)),
        }, Ct));
        Assert.Equal("retention.in-past", ex.Errors[0].Rule);
        Assert.Null(await store.StatAsync(key, Ct));
    }
}
