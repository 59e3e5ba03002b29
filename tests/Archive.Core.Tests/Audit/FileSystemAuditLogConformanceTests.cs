using Xunit;
using System.Text;
using Archive.Audit;
using Archive.Storage;
using Archive.Testing.Audit;
using Archive.Testing.Support;

namespace Archive.Core.Tests.Audit;

/// <summary>The shared audit log contract: <see cref="ObjectStoreAuditLog"/> over the file-system object store.</summary>
public sealed class FileSystemAuditLogConformanceTests : AuditLogConformanceTests, IDisposable
{
    private readonly AuditStoreFolder _folder = new();

    protected override ValueTask<IAuditLog> CreateLogAsync() => ValueTask.FromResult<IAuditLog>(new ObjectStoreAuditLog(_folder.Store, new AuditOptions()));

    protected override ValueTask<IAuditLog?> ReopenAsync() => ValueTask.FromResult<IAuditLog?>(new ObjectStoreAuditLog(_folder.Store, new AuditOptions()));

    protected override async ValueTask<bool> TamperWithRecordAsync(long sequence)
    {
        var key = ObjectStoreAuditLog.RecordKey(sequence);
        var stored = await _folder.Store.GetAsync(key, cancellationToken: Ct);
        Assert.NotNull(stored);
        string json;
        await using (stored)
        {
            using var reader = new StreamReader(stored.Stream, Encoding.UTF8);
            json = await reader.ReadToEndAsync(Ct);
        }

        var edited = json.Replace("Trần Thị Bình", "Người Khác", StringComparison.Ordinal).Replace("Nguyễn Văn An", "Người Khác", StringComparison.Ordinal);
        Assert.NotEqual(json, edited);
        await _folder.Store.PutBytesAsync(key, Encoding.UTF8.GetBytes(edited), cancellationToken: Ct);
        return true;
    }

    protected override async ValueTask<bool> RemoveRecordAsync(long sequence)
    {
        Assert.True(await _folder.Store.DeleteAsync(ObjectStoreAuditLog.RecordKey(sequence), Ct));
        return true;
    }

    public void Dispose() => _folder.Dispose();
}

public sealed class AuditSuiteCoverageTests
{
    [Fact]
    public void Every_audit_conformance_suite_is_run() =>
        SuiteCoverage.AssertEverySuiteImplemented(typeof(AuditSuiteCoverageTests).Assembly, SuiteCoverage.Audit);
}
