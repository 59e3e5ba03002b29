using System.Globalization;
using Archive.Testing.Search;
using Archive.Testing.Support;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>
/// The shared search conformance suite against a real Elasticsearch 9 cluster named by <c>ARCHIVE_ELASTICSEARCH_URL</c>
/// (optionally <c>ARCHIVE_ELASTICSEARCH_API_KEY</c>, or <c>ARCHIVE_ELASTICSEARCH_USERNAME</c> and
/// <c>ARCHIVE_ELASTICSEARCH_PASSWORD</c>, and <c>ARCHIVE_ELASTICSEARCH_FINGERPRINT</c> for a self-signed certificate).
/// Each test gets its own alias (<c>archive-conformance-…</c>) and deletes its indices afterwards. Without the variable
/// every test is skipped with that reason, also in CI: Elasticsearch cannot be installed on the project's machines.
/// </summary>
public sealed class ElasticsearchConformanceTests : SearchIndexConformanceTests
{
    private static readonly Lazy<ElasticsearchClient?> SharedClient = new(CreateClient);

    private readonly List<string> _aliases = [];

    public static string? Url => Environment.GetEnvironmentVariable("ARCHIVE_ELASTICSEARCH_URL") is { Length: > 0 } url ? url : null;

    protected override async Task<ISearchIndex> CreateIndexAsync(CancellationToken cancellationToken)
    {
        ServerRequirement.Require(
            Url is not null,
            "Elasticsearch is not available: set ARCHIVE_ELASTICSEARCH_URL (e.g. http://localhost:9200) to run the search conformance suite against a real cluster",
            requiredInCi: false);
        var client = SharedClient.Value!;
        var ping = await client.PingAsync(cancellationToken);
        Assert.True(ping.IsValidResponse, $"ARCHIVE_ELASTICSEARCH_URL={Url} is set but the cluster does not answer: {ping.DebugInformation}");

        var alias = "archive-conformance-" + Guid.NewGuid().ToString("N")[..12];
        _aliases.Add(alias);
        return new ElasticsearchSearchIndex(client, new ElasticsearchSearchOptions { IndexAlias = alias, NumberOfReplicas = 0 })
        {
            RetiredIndexGrace = TimeSpan.FromMilliseconds(500),
        };
    }

    protected override async ValueTask DisposeIndexAsync(ISearchIndex index)
    {
        if (index is ElasticsearchSearchIndex es && SharedClient.Value is { } client)
        {
            // Everything this test created: the live and rebuild indices all start with the alias. Listed first and
            // deleted by name, since clusters refuse wildcard deletes by default (action.destructive_requires_name).
            var created = await client.Indices.GetAsync(new GetIndexRequest(es.Alias + "-*") { AllowNoIndices = true });
            var names = created.Indices?.Keys.ToArray() ?? [];
            if (names.Length > 0)
            {
                await client.Indices.DeleteAsync(new DeleteIndexRequest(names));
            }
        }
    }

    private static ElasticsearchClient? CreateClient()
    {
        if (Url is not { } url)
        {
            return null;
        }

        return ElasticsearchSearchServiceCollectionExtensions.CreateClient(new ElasticsearchSearchOptions
        {
            Urls = [new Uri(url)],
            ApiKey = Environment.GetEnvironmentVariable("ARCHIVE_ELASTICSEARCH_API_KEY") is { Length: > 0 } key ? key : null,
            Username = Environment.GetEnvironmentVariable("ARCHIVE_ELASTICSEARCH_USERNAME") is { Length: > 0 } user ? user : null,
            Password = Environment.GetEnvironmentVariable("ARCHIVE_ELASTICSEARCH_PASSWORD"),
            CertificateFingerprint = Environment.GetEnvironmentVariable("ARCHIVE_ELASTICSEARCH_FINGERPRINT") is { Length: > 0 } fp ? fp : null,
            RequestTimeout = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("ARCHIVE_ELASTICSEARCH_TIMEOUT_SECONDS") ?? "60", CultureInfo.InvariantCulture)),
        });
    }
}

/// <summary>Guard: this project runs every search conformance suite.</summary>
public class SuiteCoverageTests
{
    [Fact]
    public void Every_search_conformance_suite_has_an_elasticsearch_subclass()
        => SuiteCoverage.AssertEverySuiteImplemented(typeof(SuiteCoverageTests).Assembly, "Archive.Testing.Search");
}
