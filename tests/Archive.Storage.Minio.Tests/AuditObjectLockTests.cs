using System.Text;
using Archive.Audit;

namespace Archive.Storage.Minio.Tests;

/// <summary>The audit log on the real S3 server: records are written under Object Lock and cannot be deleted or overwritten.</summary>
public sealed class AuditObjectLockTests(S3ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Audit_records_are_locked_verify_cleanly_and_survive_a_delete_attempt()
    {
        server.Require();
        using var store = new MinioObjectStore(server.Options(keyPrefix: "audit-" + Guid.NewGuid().ToString("N")[..8] + "/"));
        using var log = new ObjectStoreAuditLog(store, new AuditOptions { CheckpointInterval = 5, Retention = TimeSpan.FromMinutes(2), RetentionMode = RetentionMode.Compliance });
        for (var i = 1; i <= 6; i++)
        {
            await log.AppendAsync(new AuditEvent { Action = AuditActions.Change, Actor = "Nguyễn Văn An", ObjectType = "record-file", ObjectId = "H49.2024." + i }, Ct);
        }

        var retention = await store.GetRetentionAsync(ObjectStoreAuditLog.RecordKey(3), Ct);
        Assert.Equal(RetentionMode.Compliance, retention!.Mode);
        Assert.True(retention.RetainUntil > DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.NotNull(await store.GetRetentionAsync(ObjectStoreAuditLog.CheckpointKey(5), Ct));

        // Neither a delete nor an overwrite gets through: the storage system itself refuses.
        await Assert.ThrowsAsync<ObjectLockedException>(async () => await store.DeleteAsync(ObjectStoreAuditLog.RecordKey(3), Ct));
        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(async () => await store.PutBytesAsync(ObjectStoreAuditLog.RecordKey(3), Encoding.UTF8.GetBytes("{}"), new PutObjectOptions { CreateOnly = true }, Ct));

        var report = await log.VerifyAsync(Ct);
        Assert.True(report.IsValid, string.Join("\n", report.Problems));
        Assert.Equal(6, report.RecordsChecked);
        Assert.Equal(1, report.CheckpointsChecked);

        // A second writer (another process) continues the same chain.
        using var other = new ObjectStoreAuditLog(store, new AuditOptions { Retention = TimeSpan.FromMinutes(2) });
        Assert.Equal(7, (await other.AppendAsync(new AuditEvent { Action = AuditActions.Search, Actor = "Trần Thị Bình" }, Ct)).Sequence);
        Assert.True((await log.VerifyAsync(Ct)).IsValid);
    }
}
