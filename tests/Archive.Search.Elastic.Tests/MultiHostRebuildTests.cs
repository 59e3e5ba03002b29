using System.Globalization;
using System.Text.Json.Nodes;
using Archive.Search.Elastic.Tests.Support;
using Xunit;

namespace Archive.Search.Elastic.Tests;

/// <summary>
/// Several hosts writing to one alias while one of them rebuilds (issue #20): every host copies its writes into every
/// rebuild it finds in the cluster, a loaded document never replaces a live write, and rebuilds left by a crashed host
/// are deleted once their lease has run out for longer than the retention, never while a live host renews it.
/// </summary>
public class MultiHostRebuildTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (Scenario Scenario, SharedCluster Cluster) NewCluster() => SharedCluster.Create();

    [Fact]
    public async Task A_second_hosts_write_during_a_rebuild_reaches_the_new_index_and_a_stale_load_does_not_replace_it()
    {
        var (s, cluster) = NewCluster();
        var hostA = s.Index;
        var hostB = s.NewHost();

        // The production proportions, shortened: host B reuses its list of rebuilds for 50 ms, a new rebuild waits twice that.
        hostB.RebuildDiscoveryInterval = TimeSpan.FromMilliseconds(50);
        hostA.RebuildFence = TimeSpan.FromMilliseconds(100);
        await hostB.IndexAsync([new SearchDocument { Id = "x", Title = "v1" }], Ct); // before the rebuild: host B has seen none

        var rebuild = await hostA.OpenRebuildAsync("r1", Ct);
        var writeAlias = hostA.RebuildAlias("r1");
        var rebuildIndex = cluster.RebuildAliases[writeAlias];

        // Host B did not open the rebuild, but finds it in the cluster and copies its write into it.
        await hostB.IndexAsync([new SearchDocument { Id = "x", Title = "v2 (host B)" }], Ct);
        var bulkB = s.Cluster.Sent("POST", "/_bulk").Last();
        Assert.Equal(["archive-test", writeAlias], bulkB.NdJson.Where((_, i) => i % 2 == 0).Select(l => l!["index"]!["_index"]!.GetValue<string>()));
        Assert.Equal("v2 (host B)", cluster.Documents[(rebuildIndex, "x")].Title);

        // The loader read x before host B's change; its late copy is refused by the version check and that is not an error.
        await rebuild.IndexAsync([new SearchDocument { Id = "x", Title = "v1 (read before)" }, new SearchDocument { Id = "y", Title = "y" }], Ct);
        var load = s.Cluster.Sent("POST", "/_bulk").Last().NdJson;
        JsonAssert.Equivalent(new JsonObject { ["index"] = new JsonObject { ["_index"] = writeAlias, ["_id"] = "x", ["version"] = 0, ["version_type"] = "external_gte" } }.ToJsonString(), load[0]);
        Assert.Equal("v2 (host B)", cluster.Documents[(rebuildIndex, "x")].Title);
        Assert.Equal("y", cluster.Documents[(rebuildIndex, "y")].Title);
        Assert.Equal(1, rebuild.DocumentCount); // y; x was host B's (this host's count covers its own writes)

        // A load replaces an earlier load (a resumed rebuild writes some documents again).
        await rebuild.IndexAsync([new SearchDocument { Id = "y", Title = "y again" }], Ct);
        Assert.Equal("y again", cluster.Documents[(rebuildIndex, "y")].Title);

        // A live delete by host B also reaches the rebuild, and a stale load does not bring the document back.
        await hostB.DeleteAsync(["y"], Ct);
        await rebuild.IndexAsync([new SearchDocument { Id = "y", Title = "y (read before the delete)" }], Ct);
        Assert.Null(cluster.Documents[(rebuildIndex, "y")].Title);

        await rebuild.CommitAsync(Ct);
        Assert.Equal(rebuildIndex, cluster.LiveIndex);
        Assert.Equal("v2 (host B)", cluster.Documents[(rebuildIndex, "x")].Title);
    }

    [Fact]
    public async Task A_copy_for_a_rebuild_committed_meanwhile_is_not_an_error_and_the_host_looks_again()
    {
        var (s, cluster) = NewCluster();
        var hostA = s.Index;
        var hostB = s.NewHost();
        var rebuild = await hostA.OpenRebuildAsync("r1", Ct);
        var writeAlias = hostA.RebuildAlias("r1");
        await hostB.IndexAsync([new SearchDocument { Id = "a", Title = "a" }], Ct); // host B now knows the rebuild (for 5 s)
        await rebuild.CommitAsync(Ct);

        await hostB.IndexAsync([new SearchDocument { Id = "b", Title = "b" }], Ct); // still copies: refused with 404, not needed
        var afterCommit = s.Cluster.Sent("POST", "/_bulk").Last();
        Assert.Equal(["archive-test", writeAlias], afterCommit.NdJson.Where((_, i) => i % 2 == 0).Select(l => l!["index"]!["_index"]!.GetValue<string>()));
        Assert.Equal("b", cluster.Documents[(cluster.LiveIndex, "b")].Title); // through the alias, into the new index

        var lookups = s.Cluster.Requests.Count(r => Uri.UnescapeDataString(r.Path) == "/_alias/archive-test-rebuild-*");
        await hostB.IndexAsync([new SearchDocument { Id = "c", Title = "c" }], Ct);
        Assert.Equal(lookups + 1, s.Cluster.Requests.Count(r => Uri.UnescapeDataString(r.Path) == "/_alias/archive-test-rebuild-*"));
        Assert.Equal(2, s.Cluster.Sent("POST", "/_bulk").Last().NdJson.Count); // the committed rebuild is gone from the list
    }

    [Fact]
    public async Task A_failed_live_write_is_still_a_failure()
    {
        var (s, cluster) = NewCluster();
        s.Overrides.Insert(0, r => r.Path == "/_bulk" ? CannedResponse.Json(200, Scenario.BulkItems(r, _ => ErrorBodies.VersionConflictItem("archive-test-initial", "a"))) : null);
        await Assert.ThrowsAsync<ArchiveSearchException>(() => s.Index.IndexAsync([new SearchDocument { Id = "a" }], Ct).AsTask());
        Assert.Empty(cluster.Documents);
    }

    [Fact]
    public async Task The_list_of_rebuilds_is_reused_for_a_few_seconds_and_a_new_rebuild_waits_that_long_before_loading()
    {
        var (s, _) = NewCluster();
        var hostB = s.NewHost();
        await hostB.IndexAsync([new SearchDocument { Id = "a" }], Ct);
        await hostB.IndexAsync([new SearchDocument { Id = "b" }], Ct);
        Assert.Equal(1, s.Cluster.Requests.Count(r => Uri.UnescapeDataString(r.Path) == "/_alias/archive-test-rebuild-*"));
        Assert.Equal(TimeSpan.FromSeconds(5), hostB.RebuildDiscoveryInterval);
        Assert.True(new ElasticsearchSearchIndex(s.Cluster.Client(), s.Options).RebuildFence >= 2 * hostB.RebuildDiscoveryInterval);

        var hostA = s.NewHost();
        hostA.RebuildFence = TimeSpan.FromMilliseconds(400);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using (var rebuild = await hostA.OpenRebuildAsync("r1", Ct))
        {
            Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(380), $"returned after {started.Elapsed}");
        }

        started.Restart();
        await using (var resumed = await hostA.OpenRebuildAsync("r1", Ct))
        {
            Assert.True(started.Elapsed < TimeSpan.FromMilliseconds(380), "a resumed rebuild was already known to every host");
        }
    }

    [Fact]
    public async Task An_open_rebuild_renews_its_lease_until_it_is_closed()
    {
        var (s, _) = NewCluster();
        s.Index.LeaseRenewal = TimeSpan.FromMilliseconds(40);
        var rebuild = await s.Index.OpenRebuildAsync("r1", Ct);
        var index = s.Requests.Single(r => r.Method == "PUT" && !r.Path.Contains("/_", StringComparison.Ordinal)).Path;
        await Task.Delay(400, Ct);
        var renewals = s.Requests.Where(r => r.ToString() == $"PUT {index}/_mapping").ToList();
        Assert.True(renewals.Count >= 2, $"{renewals.Count} renewals");
        Assert.Equal(ElasticsearchSearchIndex.Holder, renewals[^1].Json!["_meta"]!["archive"]!["lease"]!["holder"]!.GetValue<string>());

        await rebuild.DisposeAsync(); // resumable, but no longer held
        await Task.Delay(100, Ct);
        var count = s.Requests.Count(r => r.ToString() == $"PUT {index}/_mapping");
        await Task.Delay(300, Ct);
        Assert.Equal(count, s.Requests.Count(r => r.ToString() == $"PUT {index}/_mapping"));
    }

    private static string Lease(TimeSpan fromNow) => DateTimeOffset.UtcNow.Add(fromNow).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string RebuildIndexState(string? alias, string? leaseUntil)
    {
        var archive = new JsonObject { ["schema"] = 1, ["alias"] = "archive-test", ["rebuildId"] = "x" };
        if (leaseUntil is not null)
        {
            archive["lease"] = new JsonObject { ["holder"] = "host-2/4711", ["until"] = leaseUntil };
        }

        var aliases = new JsonObject();
        if (alias is not null)
        {
            aliases[alias] = new JsonObject { ["is_write_index"] = true };
        }

        return new JsonObject
        {
            ["aliases"] = aliases,
            ["mappings"] = new JsonObject { ["dynamic"] = "strict", ["_meta"] = new JsonObject { ["archive"] = archive } },
        }.ToJsonString();
    }

    private static Scenario WithLeftovers()
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Method == "GET" && Uri.UnescapeDataString(r.Path) == "/archive-test-rb-*"
            ? CannedResponse.Ok($$"""
                {"archive-test-rb-crashed-000000000001-20250101000000000": {{RebuildIndexState("archive-test-rebuild-crashed-000000000001", Lease(TimeSpan.FromHours(-2)))}},
                 "archive-test-rb-running-000000000002-20250101000000000": {{RebuildIndexState("archive-test-rebuild-running-000000000002", Lease(TimeSpan.FromMinutes(3)))}},
                 "archive-test-rb-paused-000000000003-20250101000000000": {{RebuildIndexState("archive-test-rebuild-paused-000000000003", Lease(TimeSpan.FromMinutes(-20)))}},
                 "archive-test-rb-live-000000000004-20250101000000000": {{RebuildIndexState("archive-test", Lease(TimeSpan.FromDays(-30)))}},
                 "archive-test-rb-legacy-000000000005-20250101000000000": {{RebuildIndexState("archive-test-rebuild-legacy-000000000005", null)}} }
                """)
            : null);
        s.Overrides.Add(r => r.Method == "DELETE" ? CannedResponse.Ok("""{"acknowledged":true}""") : null);
        s.Overrides.Add(r => r.Method == "GET" && r.Path.StartsWith("/_alias/archive-test-rebuild-r1-", StringComparison.Ordinal)
            ? new CannedResponse(404, """{"error":"alias missing","status":404}""")
            : null);
        return s;
    }

    [Fact]
    public async Task At_start_up_only_rebuilds_whose_lease_ran_out_longer_than_the_retention_ago_are_deleted()
    {
        var s = WithLeftovers();
        await s.Index.RefreshAsync(Ct);
        var get = s.Requests.Single(r => r.Method == "GET" && Uri.UnescapeDataString(r.Path) == "/archive-test-rb-*");
        Assert.Contains("features=aliases%2Cmappings", get.Query.Replace(",", "%2C", StringComparison.Ordinal), StringComparison.Ordinal);

        // Not: a rebuild a live host renews, one within the retention (resumable), the index behind the alias, one without a lease.
        Assert.Equal(["DELETE /archive-test-rb-crashed-000000000001-20250101000000000"], s.Requests.Where(r => r.Method == "DELETE").Select(r => r.ToString()));
    }

    [Fact]
    public async Task Before_a_rebuild_abandoned_rebuilds_are_deleted_too_and_the_retention_is_an_option()
    {
        var s = WithLeftovers();
        await s.Index.RefreshAsync(Ct);
        var before = s.Requests.Count(r => r.Method == "DELETE");
        await using var rebuild = await s.Index.OpenRebuildAsync("r1", Ct);
        Assert.Equal(before + 1, s.Requests.Count(r => r.Method == "DELETE"));

        var shortRetention = WithLeftovers();
        shortRetention.Options.AbandonedRebuildRetention = TimeSpan.FromMinutes(10);
        await shortRetention.Index.RefreshAsync(Ct);
        Assert.Equal(
            ["DELETE /archive-test-rb-crashed-000000000001-20250101000000000", "DELETE /archive-test-rb-paused-000000000003-20250101000000000"],
            shortRetention.Requests.Where(r => r.Method == "DELETE").Select(r => r.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failing_clean_up_does_not_fail_the_adapter()
    {
        var s = new Scenario();
        s.Overrides.Add(r => r.Method == "GET" && Uri.UnescapeDataString(r.Path) == "/archive-test-rb-*" ? CannedResponse.Json(403, ErrorBodies.SecurityException()) : null);
        await s.Index.RefreshAsync(Ct);
        Assert.Contains(s.Requests, r => r.ToString() == "POST /archive-test/_refresh");
    }
}
