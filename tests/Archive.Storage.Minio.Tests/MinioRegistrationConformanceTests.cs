using Archive.Testing.DependencyInjection;
using Archive.Testing.Support;
using global::Minio;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Storage.Minio.Tests;

/// <summary>
/// The shared registration contract for <c>AddMinioStorage</c>. No server is needed: the endpoint points nowhere and
/// nothing may connect while registering or resolving.
/// </summary>
public sealed class MinioRegistrationConformanceTests : RegistrationConformanceTests<IObjectStore, MinioObjectStore>
{
    protected override IArchiveBuilder AddArchive(IServiceCollection services) => services.AddArchive(o => o.DataPath = DataPath);

    protected override void AddProvider(IArchiveBuilder builder) => builder.AddMinioStorage(o =>
    {
        o.Endpoint = "127.0.0.1:9";
        o.AccessKey = "archive";
        o.SecretKey = "archive-secret";
        o.Secure = false;
        o.Bucket = "archive-di";
    });

    protected override string AddProviderWithInvalidOption(IArchiveBuilder builder)
    {
        builder.AddMinioStorage(o =>
        {
            o.Endpoint = "127.0.0.1:9";
            o.AccessKey = "archive";
            o.SecretKey = "archive-secret";
            o.Bucket = "Kho_Luu_Tru";
        });
        return "MinioStorageOptions.Bucket";
    }

    protected override object? AddHostClient(IServiceCollection services)
    {
        var client = new Mock<IMinioClient>(MockBehavior.Strict).Object;
        services.AddSingleton(client);
        return client;
    }

    // No endpoint or credentials: they come with the host's client.
    protected override void AddProviderForHostClient(IArchiveBuilder builder) => builder.AddMinioStorage(o => o.Bucket = "archive-di");

    protected override ValueTask AssertUsesHostClientAsync(MinioObjectStore provider, object client)
    {
        // The store uses the host's instance, not a client built from options.
        Assert.Same(client, provider.Client);
        return ValueTask.CompletedTask;
    }
}

public sealed class RegistrationSuiteCoverageTests
{
    [Fact]
    public void Every_registration_conformance_suite_is_run() =>
        SuiteCoverage.AssertEverySuiteImplemented(typeof(RegistrationSuiteCoverageTests).Assembly, SuiteCoverage.DependencyInjection);
}
