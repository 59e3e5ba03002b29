using Archive.Testing.Packages;
using Archive.Testing.Support;
using Archive.Packages;

namespace Archive.Storage.Minio.Tests;

/// <summary>The package-store (OCFL) contract over the S3 object store, against the real server.</summary>
public sealed class MinioPackageStoreConformanceTests(S3ServerFixture server) : PackageStoreConformanceTests
{
    protected override ValueTask<IObjectStore> CreateObjectStoreAsync()
    {
        server.Require();
        return ValueTask.FromResult<IObjectStore>(server.Store);
    }

    protected override IPackageStore CreatePackageStore(IObjectStore objects, string prefix)
        => new OcflPackageStore(objects, new OcflPackageStoreOptions { Prefix = prefix });

    // Shared by every test of the run; disposed by the fixture.
    protected override ValueTask DisposeObjectStoreAsync(IObjectStore store) => ValueTask.CompletedTask;
}

public sealed class PackageSuiteCoverageTests
{
    [Fact]
    public void Every_package_conformance_suite_is_run() =>
        SuiteCoverage.AssertEverySuiteImplemented(typeof(PackageSuiteCoverageTests).Assembly, "Archive.Testing.Packages");
}
