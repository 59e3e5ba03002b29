using System.Text.Json.Nodes;
using Archive.Search.Elastic.Tests.Support;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>Failed responses become <see cref="ArchiveSearchException"/>s naming system, index, operation and the server's error.</summary>
public class ErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Scenario Failing(string method, string pathSuffix, int status, JsonNode body)
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal) ? CannedResponse.Json(status, body) : null);
        return s;
    }

    [Fact]
    public async Task Search_phase_failure_names_the_root_cause()
    {
        var s = Failing("POST", "/_search", 400, ErrorBodies.SearchPhaseExecution("archive-test-initial",
            "failed to create query: For input string: \\\"x\\\"", "number_format_exception", "For input string: \\\"x\\\""));
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.SearchAsync(new SearchRequest { Query = "x" }, Ct).AsTask());
        Assert.Equal(("elasticsearch", "archive-test", "search"), (e.System, e.Index, e.Operation));
        Assert.StartsWith("elasticsearch 'archive-test' search failed: HTTP 400 search_phase_execution_exception: all shards failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("root cause query_shard_exception: failed to create query: For input string", e.Message);
        Assert.Contains("caused by number_format_exception", e.Message);
        var inner = Assert.IsAssignableFrom<TransportException>(e.InnerException);
        Assert.Equal(400, inner.ApiCallDetails?.HttpStatusCode);
    }

    [Fact]
    public async Task Missing_index_is_reported_as_such()
    {
        var s = Failing("POST", "/_search", 404, ErrorBodies.IndexNotFound("archive-test"));
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.SearchAsync(new SearchRequest(), Ct).AsTask());
        Assert.Equal("search", e.Operation);
        Assert.Contains("HTTP 404 index_not_found_exception: no such index [archive-test] [index archive-test]", e.Message);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public async Task Missing_credentials_are_reported()
    {
        var s = Failing("POST", "/_refresh", 401, ErrorBodies.SecurityException());
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.RefreshAsync(Ct).AsTask());
        Assert.Equal("refresh", e.Operation);
        Assert.Contains("HTTP 401 security_exception: missing authentication credentials", e.Message);
    }

    [Fact]
    public async Task A_write_block_fails_the_bulk_request()
    {
        var s = Failing("POST", "/_bulk", 403, ErrorBodies.ClusterBlock("archive-test-initial"));
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.IndexAsync([new SearchDocument { Id = "a" }], Ct).AsTask());
        Assert.Equal("index", e.Operation);
        Assert.Contains("HTTP 403 cluster_block_exception: index [archive-test-initial] blocked by: [FORBIDDEN/8/index write (api)];", e.Message);
        Assert.Single(s.Cluster.Sent("POST", "/_bulk")); // 403 is not retried
    }

    [Fact]
    public async Task No_response_at_all_is_reported_with_the_network_failure_inside()
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Path.EndsWith("/_search", StringComparison.Ordinal) ? throw new HttpRequestException("Connection refused (es.test:9200)") : null);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.SearchAsync(new SearchRequest(), Ct).AsTask());
        Assert.Equal("search", e.Operation);
        Assert.Contains("no response from the cluster", e.Message);
        Assert.Contains("Connection refused", e.ToString());
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public async Task A_client_configured_to_throw_is_wrapped_too()
    {
        var cluster = new FakeCluster(r => r.Method == "HEAD" ? new CannedResponse(200) : CannedResponse.Json(404, ErrorBodies.IndexNotFound("archive-test")));
        var client = new ElasticsearchClient(new ElasticsearchClientSettings(new SingleNodePool(new Uri("http://es.test:9200")), cluster).ThrowExceptions());
        var index = new ElasticsearchSearchIndex(client, new ElasticsearchSearchOptions { IndexAlias = "archive-test" }, NullLogger<ElasticsearchSearchIndex>.Instance);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => index.SearchAsync(new SearchRequest(), Ct).AsTask());
        Assert.Equal("search", e.Operation);
        Assert.IsAssignableFrom<TransportException>(e.InnerException);
    }

    [Fact]
    public async Task A_server_that_is_not_elasticsearch_is_refused()
    {
        var plain = new InMemoryRequestInvoker("{}"u8.ToArray(), 200, null, "application/json"); // no X-Elastic-Product header
        var client = new ElasticsearchClient(new ElasticsearchClientSettings(new SingleNodePool(new Uri("http://es.test:9200")), plain));
        var index = new ElasticsearchSearchIndex(client, new ElasticsearchSearchOptions { IndexAlias = "archive-test" }, NullLogger<ElasticsearchSearchIndex>.Instance);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => index.RefreshAsync(Ct).AsTask());
        Assert.Equal("open", e.Operation);
        Assert.IsType<UnsupportedProductException>(e.InnerException);
    }
}
