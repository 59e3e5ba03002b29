using Archive.Testing.Packages;
using Archive.Testing.Support;
using Archive.Packages;
using Archive.Storage;
using Archive.Storage.FileSystem;
using Xunit;

namespace Archive.Core.Tests.Packages;

/// <summary>The package-store contract over the embedded folder store.</summary>
public sealed class FileSystemPackageStoreConformanceTests : PackageStoreConformanceTests
{
    private readonly PackageTempFolder _folder = new();

    protected override ValueTask<IObjectStore> CreateObjectStoreAsync()
        => ValueTask.FromResult<IObjectStore>(new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _folder.Path }));

    protected override IPackageStore CreatePackageStore(IObjectStore objects, string prefix)
        => new OcflPackageStore(objects, new OcflPackageStoreOptions { Prefix = prefix });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}

public sealed class PackageSuiteCoverageTests
{
    [Fact]
    public void Every_package_conformance_suite_is_run() =>
        SuiteCoverage.AssertEverySuiteImplemented(typeof(PackageSuiteCoverageTests).Assembly, "Archive.Testing.Packages");
}

/// <summary>A fresh folder under the temp folder, removed on dispose.</summary>
public sealed class PackageTempFolder : IDisposable
{
    public PackageTempFolder(string name = "pkg")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "archive-package-tests", name + "-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
