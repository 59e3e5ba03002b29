using Archive.Testing.DependencyInjection;
using Archive.Testing.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Storage.FileSystem.Tests;

/// <summary>The shared registration contract for <c>AddFileSystemStorage</c>.</summary>
public sealed class FileSystemRegistrationConformanceTests : RegistrationConformanceTests<IObjectStore, FileSystemObjectStore>
{
    protected override IArchiveBuilder AddArchive(IServiceCollection services) => services.AddArchive(o => o.DataPath = DataPath);

    protected override void AddProvider(IArchiveBuilder builder) => builder.AddFileSystemStorage(o => o.RootPath = Path.Combine(DataPath, "provider"));

    protected override string AddProviderWithInvalidOption(IArchiveBuilder builder)
    {
        builder.AddFileSystemStorage(o => o.RootPath = "");
        return "FileSystemStoreOptions.RootPath";
    }
}

public sealed class RegistrationSuiteCoverageTests
{
    [Fact]
    public void Every_registration_conformance_suite_is_run() =>
        SuiteCoverage.AssertEverySuiteImplemented(typeof(RegistrationSuiteCoverageTests).Assembly, SuiteCoverage.DependencyInjection);
}
