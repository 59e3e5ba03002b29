using Archive.Search.Elastic.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>The health check reads the alias, the cluster health of its indices and the mapping schema.</summary>
public class HealthCheckTests
{
    private static Scenario Cluster(string? status, int schema = 2, bool alias = true)
    {
        var s = new Scenario();
        s.Overrides.Add(r =>
        {
            if (r.Method == "GET" && r.Path == "/_alias/archive-test")
            {
                return alias
                    ? CannedResponse.Ok("""{"archive-test-initial":{"aliases":{"archive-test":{"is_write_index":true}}}}""")
                    : new CannedResponse(404, """{"error":"alias [archive-test] missing","status":404}""");
            }

            if (r.Path.StartsWith("/_cluster/health", StringComparison.Ordinal))
            {
                return status is null
                    ? CannedResponse.Json(401, ErrorBodies.SecurityException())
                    : CannedResponse.Ok($$"""
                        {"cluster_name":"archive-es","status":"{{status}}","timed_out":false,"number_of_nodes":1,"number_of_data_nodes":1,
                         "active_primary_shards":1,"active_shards":1,"relocating_shards":0,"initializing_shards":0,"unassigned_shards":{{(status == "green" ? 0 : 1)}},
                         "unassigned_primary_shards":{{(status == "red" ? 1 : 0)}},"delayed_unassigned_shards":0,"number_of_pending_tasks":0,
                         "number_of_in_flight_fetch":0,"task_max_waiting_in_queue_millis":0,"active_shards_percent_as_number":50.0}
                        """);
            }

            if (r.Method == "GET" && r.Path == "/archive-test-initial/_mapping")
            {
                return CannedResponse.Ok($$$"""
                    {"archive-test-initial":{"mappings":{"dynamic":"strict","_meta":{"archive":{"schema":{{{schema}}},"alias":"archive-test"}},
                     "properties":{"id":{"type":"keyword"}} } } }
                    """);
            }

            return null;
        });
        return s;
    }

    private static Task<HealthCheckResult> Check(Scenario s)
        => new ElasticsearchSearchHealthCheck(s.Index).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Green_is_healthy()
    {
        var s = Cluster("green");
        var result = await Check(s);
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("archive-test-initial", result.Description);
        Assert.Equal("archive-es", result.Data["cluster"]);
        Assert.Contains(s.Requests, r => r.PathAndQuery == "/_cluster/health/archive-test?timeout=5s");
    }

    [Fact]
    public async Task Yellow_is_degraded()
        => Assert.Equal(HealthStatus.Degraded, (await Check(Cluster("yellow"))).Status);

    [Fact]
    public async Task Red_is_unhealthy()
        => Assert.Equal(HealthStatus.Unhealthy, (await Check(Cluster("red"))).Status);

    [Fact]
    public async Task An_index_of_another_schema_asks_for_a_rebuild()
    {
        var result = await Check(Cluster("green", schema: 0));
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("rebuild", result.Description);

        // Schema 1: written before documents carried their package version (internal versions count writes).
        var unversioned = await Check(Cluster("green", schema: 1));
        Assert.Equal(HealthStatus.Degraded, unversioned.Status);
        Assert.Contains("mapping schema 1; this version of the adapter writes schema 2: rebuild the index", unversioned.Description);
    }

    [Fact]
    public async Task A_missing_alias_is_degraded_not_unhealthy()
    {
        var result = await Check(Cluster("green", alias: false));
        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("does not exist yet", result.Description);
    }

    [Fact]
    public async Task An_unreachable_or_refusing_cluster_is_unhealthy()
    {
        var result = await Check(Cluster(status: null));
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("security_exception", result.Description);
    }
}
