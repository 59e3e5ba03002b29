using Archive.Search.Elastic.Tests.Support;
using Elastic.Clients.Elasticsearch;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Moq;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary><c>AddElasticsearchSearch</c>: replacement of earlier registrations, host clients, start-up validation.</summary>
public class RegistrationTests
{
    private sealed class Builder(IServiceCollection services) : IArchiveBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    [Fact]
    public void Registers_the_index_as_search_index_rebuilder_and_health_check_replacing_an_earlier_engine()
    {
        var services = new ServiceCollection();
        var embedded = new Mock<ISearchIndex>().Object;
        services.AddSingleton(embedded);
        var calls = 0;
        new Builder(services).AddElasticsearchSearch(o =>
        {
            calls++;
            o.Urls = [new Uri("http://localhost:9200")];
        });

        Assert.Equal(0, calls); // nothing is built or resolved while registering
        Assert.Single(services, d => d.ServiceType == typeof(ISearchIndex));

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var index = Assert.IsType<ElasticsearchSearchIndex>(provider.GetRequiredService<ISearchIndex>());
        Assert.Same(index, index.GetService<ISearchIndexRebuilder>()); // a capability of the index, not a separate registration
        Assert.Null(provider.GetService<ISearchIndexRebuilder>());
        Assert.Same(index, provider.GetRequiredService<ElasticsearchSearchIndex>());
        Assert.IsAssignableFrom<IHealthCheck>(provider.GetRequiredService<ElasticsearchSearchHealthCheck>());
        Assert.Equal(1, calls);
        Assert.Equal("archive-search", index.Alias);
    }

    [Fact]
    public void The_configuration_overload_binds_the_section_keys_as_the_server_does()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Archive:Search:Elasticsearch:Urls:0"] = "https://search-1:9200",
            ["Archive:Search:Elasticsearch:Urls:1"] = "https://search-2:9200",
            ["Archive:Search:Elasticsearch:ApiKey"] = "a2V5",
            ["Archive:Search:Elasticsearch:CertificateFingerprint"] = "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB",
            ["Archive:Search:Elasticsearch:IndexAlias"] = "so-noi-vu",
            ["Archive:Search:Elasticsearch:NumberOfReplicas"] = "0",
            ["Archive:Search:Elasticsearch:RequestTimeout"] = "00:00:30",
        }).Build().GetSection("Archive:Search:Elasticsearch");
        var services = new ServiceCollection();
        new Builder(services).AddElasticsearchSearch(section, o => o.MaxRetries = 2);

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<ElasticsearchSearchOptions>>().Value;
        Assert.Equal([new Uri("https://search-1:9200"), new Uri("https://search-2:9200")], options.Urls);
        Assert.Equal(("a2V5", "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB", "so-noi-vu", (int?)0, TimeSpan.FromSeconds(30), 2), (options.ApiKey, options.CertificateFingerprint, options.IndexAlias, options.NumberOfReplicas, options.RequestTimeout, options.MaxRetries));
        Assert.Equal("so-noi-vu", Assert.IsType<ElasticsearchSearchIndex>(provider.GetRequiredService<ISearchIndex>()).Alias);
    }

    [Fact]
    public void The_last_registration_wins()
    {
        var services = new ServiceCollection();
        new Builder(services).AddElasticsearchSearch(o => o.Urls = [new Uri("http://localhost:9200")]);
        var later = new Mock<ISearchIndex>().Object;
        services.AddSingleton(later);
        using var provider = services.BuildServiceProvider();
        Assert.Same(later, provider.GetRequiredService<ISearchIndex>());
    }

    [Fact]
    public async Task A_client_registered_by_the_host_is_used_and_no_address_is_needed()
    {
        var cluster = new Scenario().Cluster; // a healthy fake cluster
        var services = new ServiceCollection();
        services.AddSingleton(cluster.Client());
        new Builder(services).AddElasticsearchSearch(o => o.IndexAlias = "archive-test");
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        await provider.GetRequiredService<ISearchIndex>().RefreshAsync(TestContext.Current.CancellationToken);
        Assert.Contains(cluster.Requests, r => r.ToString() == "POST /archive-test/_refresh");
    }

    [Fact]
    public void Options_are_validated_at_start_up()
    {
        var services = new ServiceCollection();
        new Builder(services).AddElasticsearchSearch(o =>
        {
            o.IndexAlias = "Archive Search";
            o.ApiKey = "a2V5";
            o.Username = "elastic";
            o.BulkConcurrency = 0;
        });
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(e.Failures, f => f.Contains("Urls (or CloudId) is required", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("IndexAlias", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("Username and Password go together", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("ApiKey and Username/Password are exclusive", StringComparison.Ordinal));
        Assert.Contains(e.Failures, f => f.Contains("BulkConcurrency", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("archive-search", true)]
    [InlineData("so.2025_luu-tru", true)]
    [InlineData("Archive", false)]
    [InlineData("-archive", false)]
    [InlineData("_archive", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    public void Alias_names_follow_elasticsearch_index_name_rules(string alias, bool valid)
    {
        var result = new ElasticsearchSearchOptionsValidator().Validate(null, new ElasticsearchSearchOptions { IndexAlias = alias, HostSuppliesClient = true });
        Assert.Equal(valid, result.Succeeded);
    }

    [Fact]
    public void A_client_is_created_from_the_options()
    {
        var client = ElasticsearchSearchServiceCollectionExtensions.CreateClient(new ElasticsearchSearchOptions
        {
            Urls = [new Uri("https://search-1:9200"), new Uri("https://search-2:9200")],
            ApiKey = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==",
            CertificateFingerprint = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
            RequestTimeout = TimeSpan.FromSeconds(20),
        });
        var settings = client.ElasticsearchClientSettings;
        Assert.Equal(2, settings.NodePool.Nodes.Count);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.RequestTimeout);
        Assert.NotNull(settings.Authentication);
        Assert.True(settings.EnableHttpCompression);
        Assert.Throws<OptionsValidationException>(() => ElasticsearchSearchServiceCollectionExtensions.CreateClient(new ElasticsearchSearchOptions()));
    }
}
