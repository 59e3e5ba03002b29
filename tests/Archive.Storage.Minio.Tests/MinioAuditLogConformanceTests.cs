using Archive.Audit;
using Archive.Testing.Audit;
using Archive.Testing.Support;

namespace Archive.Storage.Minio.Tests;

/// <summary>
/// The shared audit log contract: <see cref="ObjectStoreAuditLog"/> over the real S3 server (a key prefix per test).
/// Records are written under Object Lock, so the storage refuses tampering and those tests skip with the reason;
/// <see cref="AuditObjectLockTests"/> shows the refusal itself.
/// </summary>
public sealed class MinioAuditLogConformanceTests(S3ServerFixture server) : AuditLogConformanceTests
{
    private readonly string _prefix = "audit-suite-" + Guid.NewGuid().ToString("N")[..10] + "/";
    private MinioObjectStore? _store;

    private static AuditOptions Options => new() { Retention = TimeSpan.FromMinutes(2), RetentionMode = RetentionMode.Governance };

    protected override ValueTask<IAuditLog> CreateLogAsync()
    {
        server.Require();
        _store = new MinioObjectStore(server.Options(keyPrefix: _prefix));
        return ValueTask.FromResult<IAuditLog>(new ObjectStoreAuditLog(_store, Options));
    }

    protected override ValueTask<IAuditLog?> ReopenAsync() => ValueTask.FromResult<IAuditLog?>(new ObjectStoreAuditLog(_store!, Options));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _store?.Dispose();
    }
}

public sealed class AuditSuiteCoverageTests
{
    [Fact]
    public void Every_audit_conformance_suite_is_run() =>
        SuiteCoverage.AssertEverySuiteImplemented(typeof(AuditSuiteCoverageTests).Assembly, SuiteCoverage.Audit);
}
