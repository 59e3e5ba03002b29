using Archive.Search.Elastic.Tests.Support;
using Archive.Testing.DependencyInjection;
using Archive.Testing.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>
/// The shared registration contract for <c>AddElasticsearchSearch</c>: no cluster is needed (the address points
/// nowhere; the host-client test uses a fake cluster).
/// </summary>
public sealed class ElasticsearchRegistrationConformanceTests : RegistrationConformanceTests<ISearchIndex, ElasticsearchSearchIndex>
{
    private readonly FakeCluster _cluster = new Scenario().Cluster;

    protected override IArchiveBuilder AddArchive(IServiceCollection services) => services.AddArchive(o => o.DataPath = DataPath);

    protected override void AddProvider(IArchiveBuilder builder) => builder.AddElasticsearchSearch(o => o.Urls = [new Uri("http://127.0.0.1:9")]);

    protected override string AddProviderWithInvalidOption(IArchiveBuilder builder)
    {
        builder.AddElasticsearchSearch(o =>
        {
            o.Urls = [new Uri("http://127.0.0.1:9")];
            o.BulkConcurrency = 0;
        });
        return "ElasticsearchSearchOptions.BulkConcurrency";
    }

    protected override object? AddHostClient(IServiceCollection services)
    {
        var client = _cluster.Client();
        services.AddSingleton(client);
        return client;
    }

    protected override void AddProviderForHostClient(IArchiveBuilder builder) => builder.AddElasticsearchSearch(o => o.IndexAlias = "archive-test");

    protected override async ValueTask AssertUsesHostClientAsync(ElasticsearchSearchIndex provider, object client)
    {
        await provider.RefreshAsync(Ct);
        Assert.Contains(_cluster.Requests, r => r.ToString() == "POST /archive-test/_refresh");
    }
}

public class RegistrationSuiteCoverageTests
{
    [Fact]
    public void Every_registration_conformance_suite_is_run()
        => SuiteCoverage.AssertEverySuiteImplemented(typeof(RegistrationSuiteCoverageTests).Assembly, SuiteCoverage.DependencyInjection);
}
