using Archive.Testing.Storage;
using Archive.Testing.Support;

namespace Archive.Storage.Minio.Tests;

/// <summary>The shared object store contract against the real S3 server (bucket with object lock).</summary>
public sealed class MinioObjectStoreConformanceTests(S3ServerFixture server) : ObjectStoreConformanceTests
{
    protected override bool SupportsRetention => true;

    protected override RetentionEnforcement? ExpectedEnforcement => RetentionEnforcement.Worm;

    protected override ObjectStoreCapabilities ExpectedCapabilities => ObjectStoreCapabilities.NativeRangedRead;

    protected override ValueTask<IObjectStore> CreateStoreAsync()
    {
        server.Require();
        return ValueTask.FromResult<IObjectStore>(server.Store);
    }

    // Shared by every test of the run; disposed by the fixture.
    protected override ValueTask DisposeStoreAsync(IObjectStore store) => ValueTask.CompletedTask;
}

/// <summary>
/// The same contract through a store that maps keys under a <see cref="Minio.MinioStorageOptions.KeyPrefix"/>
/// (with a smaller large object, still above the 5 MiB multipart threshold).
/// </summary>
public sealed class MinioObjectStoreWithKeyPrefixConformanceTests(S3ServerFixture server) : ObjectStoreConformanceTests
{
    protected override bool SupportsRetention => true;

    protected override RetentionEnforcement? ExpectedEnforcement => RetentionEnforcement.Worm;

    protected override ObjectStoreCapabilities ExpectedCapabilities => ObjectStoreCapabilities.NativeRangedRead;

    protected override long LargeObjectLength => (2L * MinioObjectStore.DefaultPartSize) + 5; // three parts

    protected override ValueTask<IObjectStore> CreateStoreAsync()
    {
        server.Require();
        return ValueTask.FromResult<IObjectStore>(new Minio.MinioObjectStore(server.Options(keyPrefix: "kho lưu trữ/prefix+1/")));
    }
}

public sealed class SuiteCoverageTests
{
    [Fact]
    public void Every_storage_conformance_suite_is_run() =>
        SuiteCoverage.AssertEverySuiteImplemented(typeof(SuiteCoverageTests).Assembly, "Archive.Testing.Storage");
}
