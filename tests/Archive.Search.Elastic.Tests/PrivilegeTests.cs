using System.Text.Json.Nodes;
using Archive.Search.Elastic.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>The privileges the adapter needs are checked at first use and by the health check, naming what is missing.</summary>
public class PrivilegeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Scenario Lacking(string privilege)
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Path == "/_security/user/_has_privileges" ? CannedResponse.Ok(Scenario.Privileges(missing: privilege)) : null);
        return s;
    }

    [Fact]
    public async Task First_use_asks_for_the_cluster_and_index_privileges_the_adapter_needs()
    {
        var s = new Scenario();
        await s.Index.RefreshAsync(Ct);
        var check = s.Requests[0];
        Assert.Equal("/_security/user/_has_privileges", check.Path);
        JsonAssert.Equivalent("""
            { "cluster": ["monitor"],
              "index": [ { "names": "archive-test*", "privileges": ["create_index", "index", "delete", "read", "manage"] } ] }
            """, check.Json); // names: one index expression is sent as a string (the API takes a string or an array)
    }

    [Theory]
    [InlineData("manage", "manage on archive-test*")]
    [InlineData("create_index", "create_index on archive-test*")]
    [InlineData("monitor", "monitor (cluster)")]
    public async Task A_missing_privilege_fails_first_use_naming_it(string privilege, string named)
    {
        var s = Lacking(privilege);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.IndexAsync([new SearchDocument { Id = "a" }], Ct).AsTask());
        Assert.Equal("open", e.Operation);
        Assert.Contains($"user 'archive' lacks {named}", e.Message);
        Assert.DoesNotContain(s.Requests, r => r.Path == "/_bulk" || r.Method == "PUT");

        var health = await new ElasticsearchSearchHealthCheck(s.Index).CheckHealthAsync(new HealthCheckContext(), Ct);
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains(named, health.Description);
    }

    [Fact]
    public async Task With_security_off_the_check_is_skipped()
    {
        // What Elasticsearch 9 answers with xpack.security.enabled: false (SecurityBaseRestHandler.checkFeatureAvailable).
        var s = new Scenario();
        s.Overrides.Add(r => r.Path == "/_security/user/_has_privileges"
            ? CannedResponse.Json(500, JsonNode.Parse("""
                {"error":{"root_cause":[{"type":"illegal_state_exception","reason":"Security is not enabled but a security rest handler is registered"}],
                          "type":"illegal_state_exception","reason":"Security is not enabled but a security rest handler is registered"},"status":500}
                """)!)
            : null);
        await s.Index.RefreshAsync(Ct);
        Assert.Contains(s.Requests, r => r.ToString() == "POST /archive-test/_refresh");
    }

    [Fact]
    public async Task Another_failure_of_the_check_fails_first_use()
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Path == "/_security/user/_has_privileges" ? CannedResponse.Json(401, ErrorBodies.SecurityException()) : null);
        var e = await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.RefreshAsync(Ct).AsTask());
        Assert.Contains("security_exception", e.Message);
    }
}
